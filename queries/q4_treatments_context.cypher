// Q4: Which strategies or cells treat which diseases or phenotypes, in which study types and organisms, with which quantities?
// One row per supporting evidence context and reported quantity (empty where the sentence gives none).
MATCH (t:Concept)-[r:TREATS]->(c:Concept)
WHERE r.negated = false
MATCH (e:Evidence)
WHERE e.assertion_id = r.assertion_id
UNWIND CASE WHEN size(e.quantities) = 0 THEN [''] ELSE e.quantities END AS quantity
RETURN DISTINCT t.iri AS treatment, t.name AS treatmentLabel, c.iri AS condition, c.name AS conditionLabel,
       e.study_type AS studyType, e.organism AS organism, quantity
ORDER BY treatmentLabel, conditionLabel, studyType, quantity;
