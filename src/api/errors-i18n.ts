/**
 * Error messages in the caller's language: the API's messages are written in English; a request
 * whose Accept-Language prefers Chinese gets the message for its error code in Chinese, with the
 * English original kept as `detail` (it names the field, the value or the limit).
 */

const ZH: Record<string, string> = {
  unauthorized: 'API 密钥缺失、无效或已被吊销：请在请求头中发送 Authorization: Bearer <密钥>。',
  forbidden: '当前密钥的权限不足，无法执行此操作。',
  not_found: '没有找到请求的对象。',
  member_not_found: '没有匹配的会员：请试试手机后四位、手机号、邮箱、姓名、会员 ID 或订单号。',
  bad_request: '请求无效。',
  invalid_request: '请求内容无效，请检查各字段。',
  invalid_rule: '人群规则无效，请检查各条件。',
  invalid_segment: '人群规则无效，请检查各条件。',
  invalid_campaign: '营销活动定义无效，请检查各字段。',
  invalid_channel: '消息渠道设置无效。',
  invalid_setting: '设置值无效。',
  name_taken: '已有同名的人群，请换一个名称。',
  conflict: '与当前状态冲突，操作未执行。',
  refused: '文件被拒绝：无法识别其格式或内容。',
  bad_ndjson: 'NDJSON 请求体中有一行不是合法的 JSON。',
  empty: '请求体为空。',
  payload_too_large: '请求体超过大小上限，请分批发送。',
  unsupported_media_type: '请发送 application/json 或 application/x-ndjson。',
  internal: '服务器发生意外错误，详情见服务器日志。',
};

/** True when an Accept-Language header ranks Chinese above English (or names only Chinese). */
export function prefersChinese(header: string | string[] | undefined): boolean {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const ranked = text
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())?.[1]).find((x) => x !== undefined);
      return { tag, q: q === undefined ? 1 : Number(q) };
    })
    .filter((x) => x.tag !== '' && x.q > 0)
    .sort((a, b) => b.q - a.q);
  const first = ranked.find((x) => x.tag.startsWith('zh') || x.tag.startsWith('en'));
  return first !== undefined && first.tag.startsWith('zh');
}

/** An error body ({ error, message, ... }) in Chinese: the code's message, the original as detail. */
export function localizeError(body: Record<string, unknown>): Record<string, unknown> {
  const code = typeof body['error'] === 'string' ? body['error'] : '';
  const original = typeof body['message'] === 'string' ? body['message'] : '';
  const key = code === 'not_found' && original.startsWith('no member') ? 'member_not_found' : code;
  const zh = ZH[key];
  return zh === undefined ? body : { ...body, message: zh, detail: original };
}
