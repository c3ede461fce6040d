-- HbA1c (LOINC 4548-4) by age band at the time of the test, over an emr population NDJSON
-- export (`emr export --format ndjson -o DIR *.emr`). Run from DIR:
--   duckdb -c ".read hba1c_by_age_band.sql"      (or: python3 chart.py DIR)
CREATE OR REPLACE VIEW patient AS
  SELECT * FROM read_json_auto('Patient.ndjson', format = 'newline_delimited', union_by_name = true);
CREATE OR REPLACE VIEW observation AS
  SELECT * FROM read_json_auto('Observation.ndjson', format = 'newline_delimited', union_by_name = true);

WITH a1c AS (
  SELECT o.subject.reference AS subject,
         CAST(o.valueQuantity.value AS DOUBLE) AS value,
         CAST(substr(CAST(o.effectiveDateTime AS VARCHAR), 1, 10) AS DATE) AS taken
  FROM observation o, unnest(o.code.coding) AS t(c)
  WHERE c.system = 'http://loinc.org' AND c.code = '4548-4' AND o.valueQuantity.value IS NOT NULL
)
SELECT (date_diff('year', CAST(p.birthDate AS DATE), a1c.taken) // 10) * 10 AS age_band,
       count(*) AS tests,
       count(DISTINCT p.id) AS patients,
       round(avg(a1c.value), 2) AS mean_hba1c,
       round(min(a1c.value), 2) AS min_hba1c,
       round(max(a1c.value), 2) AS max_hba1c
FROM a1c JOIN patient p ON a1c.subject = 'Patient/' || p.id
GROUP BY age_band
ORDER BY age_band;
