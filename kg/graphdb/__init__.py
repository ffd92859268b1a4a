"""The property-graph view of the knowledge graph, for Neo4j and other Cypher engines."""
