/** Customer models: buy-till-you-die (BG/NBD, Pareto/NBD), Gamma-Gamma spend, scores, validation. */
export * from './bgnbd.js';
export * from './paretonbd.js';
export * from './gammagamma.js';
export * from './histories.js';
export * from './fit.js';
export * from './summary.js';
export * from './schema.js';
export * from './store.js';
export * from './service.js';
export * from './next-purchase.js';
export * from './validation.js';
export * from './scores.js';
export * from './features.js';
export * from './kmeans.js';
export * from './tree.js';
export * from './clusters.js';
