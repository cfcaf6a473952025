/**
 * Product intelligence: association rules (FP-growth) over baskets, the product matrix,
 * seasonality, customer coverage; see docs/products.md.
 */
export { associationRules, checkRuleParams, RuleParamError, RULE_DEFAULTS, LEVELS, BASKETS, type RuleParams, type RulesResult, type Level, type BasketKind } from './associations.js';
export { ruleParams, ruleParamsOf, RULE_TEXT, type RuleOptions } from './params.js';
export type { Rule } from './rules.js';
export { fpGrowth, type Itemset, type WeightedBaskets } from './fpgrowth.js';
export { PRODUCT_REPORTS, PRODUCT_RULES, productParams, productReport, type ProductReport, type MatrixOptions } from './reports.js';
export { MATRIX_CLASSES } from './matrix.js';
export { boughtTogether, recommend, type TogetherOptions } from './recommend.js';
export { MIN_TOGETHER, storedBoughtTogether, storedWindow, type PairWindow } from './pairs.js';
