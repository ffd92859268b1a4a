// Q2: Which barriers hinder which cell types, mechanisms or strategies?
MATCH (b:Concept)-[r:HINDERS]->(t:Concept)
WHERE r.negated = false
RETURN b.iri AS barrier, b.name AS barrierLabel, t.iri AS target, t.name AS targetLabel, t.category AS targetCategory
ORDER BY barrierLabel, targetLabel;
