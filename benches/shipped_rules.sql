-- The shipped rule set (rules/*.yaml, rules/scores.rhai) as one SQL statement: what an admin
-- would write instead of tierwise. `tierwise bench` times it as the baseline.
--
-- Same semantics where SQL can express them: percentile = count of ranked customers at or
-- below / ranked count (tierwise takes the largest number just under it); A = fewer than
-- 20% of the ranked customers strictly above, B = fewer than 60%, counted in whole numbers,
-- so ties and a customer straddling a boundary go to the higher tier; customers without
-- positive sales are not ranked (dormant). It produces the scalar outputs only: no rule ids (no trace of
-- why), no visit-type or alert lists, no block reasons.
DROP TABLE IF EXISTS sql_policy;
CREATE TABLE sql_policy AS
WITH ranked AS (
  SELECT c.*,
    CASE WHEN annual_sales > 0 THEN
      COUNT(*) OVER (PARTITION BY annual_sales > 0 ORDER BY annual_sales) * 1.0
        / COUNT(*) OVER (PARTITION BY annual_sales > 0)
    END AS sales_rank,
    CASE WHEN annual_sales > 0 THEN
      COUNT(*) OVER (PARTITION BY annual_sales > 0)
        - COUNT(*) OVER (PARTITION BY annual_sales > 0 ORDER BY annual_sales)
    END AS sales_above,
    CASE WHEN annual_sales > 0 THEN COUNT(*) OVER (PARTITION BY annual_sales > 0) END AS sales_ranked
  FROM customers c
),
metrics AS (
  SELECT r.*,
    COALESCE(annual_sales, 0) / 12.0 AS monthly_sales,
    CASE WHEN orders_last_12m IS NULL OR orders_prev_12m IS NULL OR orders_prev_12m = 0 THEN NULL
         ELSE orders_last_12m * 1.0 / orders_prev_12m END AS order_trend,
    0.5 * COALESCE(repeat_purchase_rate, 0.0) + 0.3 * MIN(COALESCE(years_active, 0), 10) / 10.0
      + 0.2 * COALESCE(on_time_payment_rate, 0.5) AS loyalty,
    0.35 * COALESCE(sales_rank, 0.0) * 100
      + 0.10 * MIN(MAX(COALESCE(gross_margin_pct, 0.0), 0.0), 40.0) / 40.0 * 100
      + 0.15 * COALESCE(on_time_payment_rate, 0.0) * 100
      + 0.10 * MAX(0, 100 - 25 * COALESCE(quality_claims, 0))
      + 0.10 * COALESCE(credit_score, 50)
      + 0.20 * (COALESCE(industry_influence, 1) - 1) * 25 AS key_score
  FROM ranked r
),
tiers AS (
  SELECT m.*,
    CASE WHEN sales_rank IS NULL THEN 'dormant' WHEN sales_above * 5 < sales_ranked THEN 'A'
         WHEN sales_above * 5 < sales_ranked * 3 THEN 'B' ELSE 'C' END AS tier
  FROM metrics m
),
decided AS (
  SELECT t.*,
    CASE WHEN tier = 'dormant' THEN 'dormant'
         WHEN tier IN ('A', 'B') AND loyalty >= 0.6 THEN 'core'
         WHEN tier IN ('A', 'B') THEN 'watch'
         WHEN loyalty >= 0.6 THEN 'nurture' ELSE 'exit' END AS segment,
    CASE WHEN key_score >= 80 OR annual_sales >= 1000000 THEN 1 ELSE 0 END AS key_account,
    CASE WHEN COALESCE(annual_sales, 0) < 100000 THEN 0.0
         WHEN annual_sales < 250000 THEN 1.0
         WHEN annual_sales < 1000000 THEN 2.0 ELSE 3.0 END AS volume_bonus_pct,
    CASE WHEN overdue_days > 90 THEN 1
         WHEN years_active = 0 AND COALESCE(credit_score, 0) < 40 THEN 1 ELSE 0 END AS credit_block
  FROM tiers t
),
terms AS (
  SELECT d.*,
    CASE WHEN credit_block THEN 0
         WHEN gross_margin_pct >= 25 AND years_active >= 5 AND on_time_payment_rate >= 0.95 THEN 60
         WHEN tier = 'A' THEN 45 WHEN tier = 'B' THEN 30 ELSE 15 END AS payment_days,
    CASE WHEN key_account THEN 0.8 WHEN tier = 'A' THEN 1.0 WHEN tier = 'B' THEN 1.5
         WHEN tier = 'C' THEN 2.0 ELSE 3.0 END AS commission_pct,
    CASE WHEN tier = 'dormant' THEN 0 WHEN key_account THEN 4 WHEN tier = 'A' THEN 4
         WHEN tier = 'B' THEN 2 ELSE 1 END AS base_visits
  FROM decided d
)
SELECT customer_id, tier, segment, key_account, volume_bonus_pct,
  MIN(12, MAX(0,
      (CASE WHEN tier = 'A' THEN 5.0 ELSE 0 END)
    + (CASE WHEN tier = 'B' THEN 2.0 ELSE 0 END)
    + (CASE WHEN volume_bonus_pct > 0 THEN volume_bonus_pct ELSE 0 END)
    + (CASE WHEN key_account THEN 3.0 ELSE 0 END)
    + (CASE WHEN on_time_payment_rate >= 0.98 THEN 2.0 ELSE 0 END)
    + (CASE WHEN segment = 'exit' THEN -100.0 ELSE 0 END)
    + (CASE WHEN overdue_days > 60 THEN -100.0 ELSE 0 END))) AS discount_pct,
  commission_pct, credit_block, payment_days,
  MIN(2000000, MAX(0, CAST(
    (CASE WHEN credit_block THEN 0
          WHEN payment_days >= 60 THEN monthly_sales * 2.5
          ELSE monthly_sales * payment_days / 30.0 * 1.2 END) / 1000 AS INTEGER) * 1000)) AS credit_limit,
  base_visits + (CASE WHEN quality_claims = 0 AND base_visits > 0 AND segment <> 'exit' THEN 1 ELSE 0 END)
    AS visits_per_month
FROM terms
ORDER BY customer_id;
