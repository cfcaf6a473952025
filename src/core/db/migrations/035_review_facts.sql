-- 035: the weekly review's result now carries its facts (which the console words in the page's
-- language). Stored reviews computed before it lack them: drop them, the next read recomputes.
DELETE FROM analysis_results WHERE report = 'review';
