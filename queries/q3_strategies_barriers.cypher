// Q3: Which strategies overcome which barriers, and which barriers have no strategy against them (strategy is null)?
MATCH (b:Concept {category: 'Barrier'})
OPTIONAL MATCH (s:Concept)-[r:OVERCOMES {negated: false}]->(b)
RETURN b.iri AS barrier, b.name AS barrierLabel, s.iri AS strategy, s.name AS strategyLabel
ORDER BY barrierLabel, strategyLabel;
