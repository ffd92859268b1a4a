// Q5: For one edge, every sentence and document that supports it (edit the two ids and the relationship type).
MATCH (s:Concept {id: 'MONDO:0011385'})-[r:CONTRIBUTES_TO]->(o:Concept {id: 'HP:0003419'})
MATCH (e:Evidence)-[:FROM_PUBLICATION]->(p:Publication)
WHERE e.assertion_id = r.assertion_id
RETURN p.url AS document, p.title AS title, e.polarity AS polarity, e.certainty AS certainty,
       e.study_type AS studyType, e.sentence AS sentence
ORDER BY document, sentence;
