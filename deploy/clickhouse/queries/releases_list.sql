-- Question: what was released to a service, and when? The releases (app versions and prompt versions) of a
-- tenant's service and environment that took effect in a time range, newest first, with who released it and
-- the note, each release once even when its marker was sent twice.
-- Parameters: tenant String, service String ('' = every service), environment String ('' = every
--   environment), since DateTime64(6), until DateTime64(6) (released_at in [since, until)).
-- How: FINAL keeps the copy of a release id the gateway accepted last (V009__releases.sql: the key is
-- (tenant_id, release_id) and the table is not partitioned, so FINAL is exact with any WHERE).
SELECT
    released_at,
    service_name,
    environment,
    app_version,
    prompt_name,
    prompt_version,
    released_by,
    note,
    release_id
FROM releases FINAL
WHERE tenant_id = {tenant:String}
  AND ({service:String} = '' OR service_name = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
  AND released_at >= {since:DateTime64(6)}
  AND released_at < {until:DateTime64(6)}
ORDER BY released_at DESC, release_id;
