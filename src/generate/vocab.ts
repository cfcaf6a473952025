/** Word lists for the synthetic dataset: names, places, stores, catalogue words, searches, reviews, return reasons. */

/** Surnames with their pinyin, roughly by frequency. */
export const SURNAMES: ReadonlyArray<readonly [string, string, number]> = [
  ['王', 'wang', 7.2], ['李', 'li', 7.1], ['张', 'zhang', 6.8], ['刘', 'liu', 5.4], ['陈', 'chen', 4.5],
  ['杨', 'yang', 3.1], ['黄', 'huang', 2.4], ['赵', 'zhao', 2.2], ['吴', 'wu', 2.0], ['周', 'zhou', 1.9],
  ['徐', 'xu', 1.4], ['孙', 'sun', 1.3], ['马', 'ma', 1.2], ['朱', 'zhu', 1.2], ['胡', 'hu', 1.1],
  ['郭', 'guo', 1.1], ['何', 'he', 1.0], ['林', 'lin', 0.9], ['罗', 'luo', 0.9], ['高', 'gao', 0.9],
  ['郑', 'zheng', 0.8], ['梁', 'liang', 0.7], ['谢', 'xie', 0.6], ['宋', 'song', 0.5], ['唐', 'tang', 0.5],
  ['许', 'xu', 0.5], ['韩', 'han', 0.5], ['冯', 'feng', 0.4], ['邓', 'deng', 0.4], ['曹', 'cao', 0.4],
];

/** Given-name characters with pinyin; the flag says which names they suit (F, M or both). */
export const GIVEN: ReadonlyArray<readonly [string, string, 'F' | 'M' | 'X']> = [
  ['静', 'jing', 'F'], ['丽', 'li', 'F'], ['敏', 'min', 'F'], ['艳', 'yan', 'F'], ['娟', 'juan', 'F'],
  ['霞', 'xia', 'F'], ['婷', 'ting', 'F'], ['雪', 'xue', 'F'], ['琳', 'lin', 'F'], ['欣', 'xin', 'F'],
  ['怡', 'yi', 'F'], ['佳', 'jia', 'F'], ['梦', 'meng', 'F'], ['颖', 'ying', 'F'], ['晓', 'xiao', 'X'],
  ['雨', 'yu', 'X'], ['思', 'si', 'X'], ['文', 'wen', 'X'], ['子', 'zi', 'X'], ['一', 'yi', 'X'],
  ['伟', 'wei', 'M'], ['强', 'qiang', 'M'], ['磊', 'lei', 'M'], ['军', 'jun', 'M'], ['洋', 'yang', 'M'],
  ['勇', 'yong', 'M'], ['杰', 'jie', 'M'], ['涛', 'tao', 'M'], ['明', 'ming', 'M'], ['浩', 'hao', 'M'],
];

/** WeChat-style nicknames. */
export const NICKNAMES: readonly string[] = [
  '小鱼儿', '阳光', '糖糖', 'Cici', '木子', '安静的猫', 'Lily', '橙子', '一只兔', '晴天', 'Momo', '小雨',
  '淡定', '向日葵', 'Amy', '花开', '小白', 'Vivian', '喵喵', '知足常乐', 'Grace', '布丁', '星星', 'Echo',
];

/** Cities with relative weights; the stores below are in some of them. */
export const CITIES: ReadonlyArray<readonly [string, number]> = [
  ['上海', 14], ['北京', 12], ['广州', 8], ['深圳', 8], ['杭州', 7], ['成都', 6], ['南京', 5], ['武汉', 5],
  ['苏州', 4], ['西安', 4], ['重庆', 4], ['天津', 3], ['长沙', 3], ['青岛', 2], ['厦门', 2], ['宁波', 2],
];

/** Physical stores: id and city. */
export const STORES: ReadonlyArray<readonly [string, string]> = [
  ['SH01', '上海'], ['SH02', '上海'], ['BJ01', '北京'], ['BJ02', '北京'], ['GZ01', '广州'], ['SZ01', '深圳'],
  ['HZ01', '杭州'], ['CD01', '成都'],
];

export const EMAIL_DOMAINS: ReadonlyArray<readonly [string, number]> = [
  ['qq.com', 40], ['163.com', 20], ['126.com', 8], ['gmail.com', 10], ['outlook.com', 8], ['foxmail.com', 6],
  ['sina.com', 4], ['icloud.com', 4],
];

/** Catalogue leaves: path, two-letter code, typical list price in cents, log-spread, typical units. */
export const CATEGORIES: ReadonlyArray<readonly [string, string, number, number, string]> = [
  ['Skincare > Serum', 'SE', 32900, 0.45, '30ml'],
  ['Skincare > Moisturiser', 'MO', 25900, 0.4, '50ml'],
  ['Skincare > Cleanser', 'CL', 12900, 0.35, '120ml'],
  ['Skincare > Toner', 'TO', 16900, 0.35, '150ml'],
  ['Skincare > Mask', 'MA', 9900, 0.5, '5片'],
  ['Skincare > Sunscreen', 'SU', 15900, 0.3, '50ml'],
  ['Skincare > Eye Cream', 'EY', 36900, 0.4, '15ml'],
  ['Makeup > Lipstick', 'LI', 23900, 0.3, '3.5g'],
  ['Makeup > Foundation', 'FO', 35900, 0.35, '30ml'],
  ['Makeup > Eyeshadow', 'ES', 29900, 0.4, '9色'],
  ['Makeup > Mascara', 'MS', 18900, 0.3, '8ml'],
  ['Haircare > Shampoo', 'SH', 8900, 0.35, '400ml'],
  ['Haircare > Conditioner', 'CO', 9900, 0.35, '400ml'],
  ['Body > Lotion', 'BL', 11900, 0.4, '250ml'],
  ['Body > Shower Gel', 'SG', 6900, 0.35, '500ml'],
  ['Fragrance > Eau de Parfum', 'EP', 69900, 0.35, '50ml'],
  ['Tools > Brush', 'BR', 7900, 0.5, '1支'],
  ['Sets > Gift Set', 'GS', 59900, 0.4, '套装'],
];

/** Brands: name, two-letter code, price position multiplier, popularity. */
export const BRANDS: ReadonlyArray<readonly [string, string, number, number]> = [
  ['Lumen', 'LU', 1.0, 10], ['Qinghe 清禾', 'QH', 0.7, 9], ['Northwind', 'NW', 1.4, 5], ['Mulan 木兰', 'ML', 0.9, 8],
  ['Sora', 'SO', 1.2, 6], ['Baiyun 白云', 'BY', 0.6, 7], ['Verde', 'VE', 1.1, 5], ['Atelier 9', 'A9', 2.0, 3],
  ['Yuelan 月兰', 'YL', 0.8, 6], ['Kiri', 'KI', 1.0, 4], ['Hanfang 汉方', 'HF', 0.75, 5], ['Aurelle', 'AU', 1.6, 3],
];

export const ADJECTIVES: readonly string[] = [
  '玻尿酸', '烟酰胺', '氨基酸', '水光', '焕颜', '舒缓', '修护', '净透', '丝绒', '柔雾', '清爽', '滋润',
  'Hydra', 'Pure', 'Silk', 'Cloud', 'Velvet', 'Daily', 'Golden', 'Zen', 'Bright', 'Calm',
];

/** Search words per category code, plus generic ones. */
export const QUERIES: Readonly<Record<string, readonly string[]>> = {
  SE: ['精华', '精华液 补水', '抗老精华', 'serum'], MO: ['面霜', '保湿霜', '敏感肌 面霜'],
  CL: ['洗面奶', '氨基酸洗面奶', 'cleanser'], TO: ['爽肤水', '化妆水'], MA: ['面膜', '补水面膜'],
  SU: ['防晒', '防晒霜 spf50'], EY: ['眼霜', '淡化细纹 眼霜'], LI: ['口红', '哑光口红', 'lipstick 正红'],
  FO: ['粉底液', '持妆 粉底'], ES: ['眼影盘', '大地色 眼影'], MS: ['睫毛膏', '防水睫毛膏'],
  SH: ['洗发水', '控油 洗发水'], CO: ['护发素'], BL: ['身体乳', '香体乳'], SG: ['沐浴露'],
  EP: ['香水', '女士香水', 'perfume'], BR: ['化妆刷', '粉底刷'], GS: ['礼盒', '生日礼物 女', '套装 送女友'],
};
export const GENERIC_QUERIES: readonly string[] = ['新品', '优惠券', '618', '双11 预售', '送礼', '正品', '小样', '会员'];

export const REVIEWS_GOOD: readonly string[] = [
  '很好用，回购了', '质地清爽, 不油腻', '包装精美，送人很有面子', '物流很快，客服态度好', '效果明显，会继续支持',
  'Great texture, arrived quickly', '第三次购买了 "真香"', '味道好闻，吸收快', '性价比高', '好评！\n下次还来',
];
export const REVIEWS_MID: readonly string[] = ['一般般吧', '还行，没有想象中好', '效果需要时间看看', 'ok, nothing special'];
export const REVIEWS_BAD: readonly string[] = [
  '用了过敏，不推荐', '和描述不符', '包装破损, 漏液了', '客服回复太慢', '感觉是假货？', 'Broke out after two days',
];

export const RETURN_REASONS: ReadonlyArray<readonly [string, number]> = [
  ['七天无理由退货', 40], ['不想要了', 15], ['过敏/不适合肤质', 15], ['商品与描述不符', 10], ['质量问题', 8],
  ['发错货', 5], ['包装破损, 漏液', 7],
];
