-- Question: how does each prompt version do in evaluations, hour by hour? Eval pass rate by prompt
-- version over time, from the hourly rollup (metrics_1h; metrics_1d for days, same columns).
-- Parameters: tenant String, prompt_name String ('' = every prompt), evaluator String ('' = every
-- evaluator), since DateTime64(6), until DateTime64(6) (hours starting in [since, until)).
-- Evaluations are counted with the judged span's dimensions (prompt version included), in the window of
-- the evaluation's own time. Hours without an evaluation of a version are not rows.
SELECT
    window_start AS hour,
    prompt_name,
    prompt_version,
    arraySum(mapValues(mapFilter((evaluator, n) -> {evaluator:String} IN ('', evaluator), sumMap(eval_passed)))) AS passed,
    arraySum(mapValues(mapFilter((evaluator, n) -> {evaluator:String} IN ('', evaluator), sumMap(eval_failed)))) AS failed,
    passed + failed AS evaluations,
    round(passed / evaluations, 4) AS pass_rate
FROM metrics_1h
WHERE tenant_id = {tenant:String}
  AND level = 'llm.spans'
  AND window_start >= {since:DateTime64(6)}
  AND window_start < {until:DateTime64(6)}
  AND {prompt_name:String} IN ('', prompt_name)
GROUP BY hour, prompt_name, prompt_version
HAVING evaluations > 0
ORDER BY hour, prompt_name, prompt_version;
