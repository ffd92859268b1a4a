// Q1: Which cell types are capable of which mechanisms, with how many supporting documents?
MATCH (cell:Concept)-[r:CAPABLE_OF]->(m:Concept)
WHERE r.negated = false
RETURN cell.iri AS cell, cell.name AS cellLabel, m.iri AS mechanism, m.name AS mechanismLabel, r.document_count AS documents
ORDER BY documents DESC, cellLabel, mechanismLabel;
