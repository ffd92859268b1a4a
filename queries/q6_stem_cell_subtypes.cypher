// Q6: Every subtype of stem cell (CL:0000034) in the graph, through the ontology's subclass hierarchy.
MATCH (c:Concept)-[:SUBCLASS_OF*1..]->(s:Concept {id: 'CL:0000034'})
WHERE c.category = 'CellType'
RETURN DISTINCT c.iri AS cell, c.name AS label
UNION
MATCH (c:Concept {id: 'CL:0000034', category: 'CellType'})
RETURN c.iri AS cell, c.name AS label;
