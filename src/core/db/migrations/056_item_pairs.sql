-- 056: item co-occurrence stored by a rules run over the whole base (item level, one basket per
-- order), so "bought together" answers from a table instead of joining the window's orders to
-- their lines per request. One window is held at a time: the latest run's. Items are the rules'
-- item keys (a line's SKU, else its name); counts are baskets (orders with product lines, not
-- cancelled) in the window.
CREATE TABLE item_pair_window (
  window_from  DATE,                 -- NULL: all history
  window_to    DATE NOT NULL,
  baskets      BIGINT NOT NULL,      -- baskets in the window
  min_together INTEGER NOT NULL,     -- pairs in fewer baskets are not stored
  last_import  BIGINT                -- the last import the counts include (NULL: none); a later
                                     -- import makes them out of date
);

CREATE TABLE item_counts (
  item    VARCHAR NOT NULL,
  baskets BIGINT NOT NULL            -- baskets holding the item
);

-- Both orders of each pair are stored (item, other) and (other, item), so a look-up reads one item's rows.
CREATE TABLE item_pairs (
  item    VARCHAR NOT NULL,
  other   VARCHAR NOT NULL,
  baskets BIGINT NOT NULL            -- baskets holding both
);
