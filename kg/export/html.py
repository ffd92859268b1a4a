"""graph.html: one self-contained page (vis-network from pyvis, inlined), positions computed in Python.

Text from papers reaches the page only as JSON inside the script (escaped by escape.script_json) and
is put on screen with textContent, never innerHTML; vis-network shows string titles as plain text.
"""
from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pyvis
from pyvis.network import Network

from ..escape import html_text, script_json
from ..ids import document_iri
from .base import ExportContext, register, write_atomic

# Evidence sentences the page inlines in all: a graph of more than EVIDENCE_BUDGET / K edges gets fewer
# than K per edge (at least one), so that a page of 20,000 edges stays a few MB. graph.json has them all.
EVIDENCE_BUDGET = 20_000


def _vis_js() -> str:
    lib = Path(pyvis.__file__).parent / "lib"
    candidates = sorted(lib.glob("vis-*/vis-network.min.js"))
    if not candidates:
        raise FileNotFoundError("vis-network.min.js not found in the pyvis package")
    return candidates[-1].read_text(encoding="utf-8")


def layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Each connected component laid out by a seeded spring layout, components packed in rows, largest first.

    Positions are computed here so the page is drawn at once, and the same graph gives the same page.
    """
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes))
    simple.add_edges_from(sorted((s, o) for s, o in graph.edges()))
    components = sorted((sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0]))
    boxes = []  # (radius, {node: (x, y)} centred on 0)
    for nodes in components:
        radius = 110 * math.sqrt(len(nodes)) if len(nodes) > 1 else 50.0
        if len(nodes) == 1:
            boxes.append((radius, {nodes[0]: (0.0, 0.0)}))
            continue
        component = nx.Graph()  # built in sorted order: a subgraph view would iterate in hash order
        component.add_nodes_from(nodes)
        component.add_edges_from(sorted(tuple(sorted(e)) for e in simple.subgraph(nodes).edges()))
        iterations = 200 if len(nodes) < 300 else 50  # large components: fewer rounds, the view can be refined by hand
        pos = nx.spring_layout(component, seed=7, k=2.0 / math.sqrt(len(nodes)), iterations=iterations)
        boxes.append((radius, {n: (float(x) * radius, float(y) * radius) for n, (x, y) in pos.items()}))
    row_width = max(800.0, math.sqrt(sum((2 * r) ** 2 for r, _ in boxes)) * 1.6)
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for radius, pos in boxes:
        size = 2 * radius + 40
        if x > 0 and x + size > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for node, (px, py) in pos.items():
            positions[node] = (round(x + radius + px, 1), round(y + radius + py, 1))
        x += size
        row_height = max(row_height, size)
    return positions


def _short(label: str, limit: int = 32) -> str:
    """Drawn labels stay short; the full label is in the tooltip and the detail panel."""
    return label if len(label) <= limit else label[:limit - 1] + "…"


LAYOUT_LIMIT = 1000  # nodes laid out in Python and drawn at first; the rest join through search and expand


def initial_nodes(graph: nx.MultiDiGraph, limit: int = LAYOUT_LIMIT) -> list[str]:
    """The nodes drawn at first: all of a small graph, else the best supported (documents, then degree)."""
    if graph.number_of_nodes() <= limit:
        return sorted(graph.nodes)
    ranked = sorted(graph.nodes, key=lambda n: (-graph.nodes[n].get("documents", 0), -graph.degree(n), n))
    return sorted(ranked[:limit])


def barrier_matrix(graph: nx.MultiDiGraph) -> dict:
    """The review's question as a table: which strategies overcome which barriers, with evidence counts."""
    barriers = sorted((n for n, d in graph.nodes(data=True) if d.get("category") == "Barrier"),
                      key=lambda n: graph.nodes[n]["label"].lower())
    cells: dict[str, dict[str, dict]] = {}
    for s, o, data in graph.edges(data=True):
        if data["predicate"] == "overcomes" and data["polarity"] == "affirmed" and o in barriers:
            cells.setdefault(o, {})[s] = {"evidence": data["evidence_count"], "edge": data["assertion_id"]}
    strategies = sorted({s for row in cells.values() for s in row}, key=lambda n: graph.nodes[n]["label"].lower())
    return {"barriers": barriers, "strategies": strategies, "cells": cells,
            "unopposed": [b for b in barriers if b not in cells]}


def evidence_entry(e) -> dict:
    """One evidence sentence as the edge panel shows it; empty fields are left out to keep the page small."""
    entry = {"sentence": e.sentence, "document": e.document, "section": e.section, "study_type": e.study_type,
             "certainty": e.certainty,
             "marks": sorted([[e.subject_span.start - e.sentence_start, e.subject_span.end - e.sentence_start],
                              [e.object_span.start - e.sentence_start, e.object_span.end - e.sentence_start]])}
    if e.organism:
        entry["organism"] = e.organism
    if e.quantities:
        entry["quantities"] = [q.text + (f" ({q.direction})" if q.direction != "none" else "") for q in e.quantities]
    return entry


def best_evidence(evidence, limit: int) -> list:
    """The `limit` evidence records the page shows for an edge: the most confident first, then stated
    before hedged, then by document and position, so that the choice is the same in every build."""
    return sorted(evidence, key=lambda e: (-e.confidence, e.certainty != "stated", e.document, e.sentence_start))[:limit]


def page_data(graph: nx.MultiDiGraph, context: ExportContext) -> dict:
    schema = context.schema
    shown = initial_nodes(graph)
    positions = layout(graph.subgraph(shown).copy() if len(shown) < graph.number_of_nodes() else graph)
    net = Network(directed=True, cdn_resources="remote")
    for curie in sorted(graph.nodes):
        data = graph.nodes[curie]
        category = schema.categories.get(data.get("category", ""))
        extra = {"x": positions[curie][0], "y": positions[curie][1]} if curie in positions else {}
        net.add_node(curie, label=_short(data["label"]),
                     color=category.colour if category else "#999999", shape=category.shape if category else "dot",
                     size=round(10 + 6 * math.sqrt(data.get("documents", 0)), 2),
                     category=data.get("category", ""), **extra)
    edges_detail, documents = {}, {}
    affirmed = sum(1 for _, _, d in graph.edges(data=True) if d["polarity"] == "affirmed")
    per_edge = min(context.html_evidence, max(1, EVIDENCE_BUDGET // max(1, affirmed)))
    for s, o, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        if data["polarity"] != "affirmed":
            continue  # negative findings stay in the RDF, JSON and Neo4j outputs, not in the picture
        eid = data["assertion_id"]
        shown_evidence = best_evidence(data["evidence"], per_edge)
        net.add_edge(s, o, id=eid, width=round(1 + 1.5 * math.log2(1 + data["evidence_count"]), 2),
                     dashes=bool(data["hedged"]), predicate=data["predicate"], documentCount=data["document_count"],
                     evidenceCount=data["evidence_count"], studyTypes=sorted({e.study_type for e in data["evidence"]}))
        edges_detail[eid] = {
            "confidence": data["confidence"], "more": data["evidence_count"] - len(shown_evidence),
            "evidence": [evidence_entry(e) for e in shown_evidence]}
        for e in shown_evidence:  # a document's title and link once, however many sentences cite it
            documents.setdefault(e.document, {"title": e.document_title, "link": document_iri(e.document, schema.base)})
    nodes_detail = {c: {"label": graph.nodes[c]["label"], "category": graph.nodes[c].get("category", ""),
                        "synonyms": graph.nodes[c].get("synonyms", []), "iri": schema.iri(c),
                        "documents": graph.nodes[c].get("documents", 0)} for c in sorted(graph.nodes)}
    legend = [{"name": c.name, "colour": c.colour} for c in schema.categories.values()]
    # vis-network's defaults are set once in the page's options, and tooltips are made in the page
    nodes = [{k: v for k, v in n.items() if k not in ("title", "physics")} for n in net.nodes]
    edges = [{k: v for k, v in e.items() if k not in ("title", "arrows") and not (k == "dashes" and not v)}
             for e in net.edges]
    return {"matrix": barrier_matrix(graph), "nodes": nodes, "edges": edges, "nodeDetail": nodes_detail,
            "edgeDetail": edges_detail, "documents": dict(sorted(documents.items())),
            "legend": legend, "shown": shown, "predicates": sorted(schema.predicates),
            "studyTypes": ["clinical", "preclinical_in_vivo", "in_vitro", "review", "unknown"]}


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>__TITLE__</title>
<style>
body{margin:0;font:14px system-ui,sans-serif;display:flex;height:100vh}
#graph{flex:1 1 auto;min-width:0;height:100vh;border-right:1px solid #ccc}
#side{flex:0 0 380px;overflow:auto;padding:8px;box-sizing:border-box}
#legend span,.opts label{display:inline-block;margin:2px 6px 2px 0}
#legend i{display:inline-block;width:10px;height:10px;margin-right:3px;border-radius:2px}
mark{background:#ffe08a}
.ev{border-top:1px solid #ddd;padding:4px 0}
.meta{color:#555;font-size:12px}
fieldset{border:1px solid #ddd;margin:6px 0;padding:4px 6px}
#matrixview{flex:1 1 auto;min-width:0;height:100vh;overflow:auto;padding:8px;box-sizing:border-box}
#matrix{border-collapse:collapse;font-size:12px} #matrix td,#matrix th{border:1px solid #ccc;padding:3px 6px;text-align:center}
#matrix th.row{text-align:left} #matrix td.hit{background:#fde2c8;cursor:pointer}
input[type=search]{width:70%}
</style></head>
<body><div id="graph"></div><div id="matrixview" hidden><h3>Which strategies overcome which barriers</h3>
<p class="meta">Each cell counts the sentences that say the strategy overcomes the barrier; click it for them.</p>
<table id="matrix"></table><h4>Barriers with no strategy against them</h4><ul id="unopposed"></ul></div>
<div id="side"><h3>__TITLE__</h3>
<p><button type="button" id="tabgraph">Graph</button> <button type="button" id="tabmatrix">Barriers &times; strategies</button></p>
<div id="legend"></div>
<p id="status" class="meta">loading...</p>
<form id="find"><input type="search" id="q" list="names" placeholder="find a concept (label or synonym)" autocomplete="off">
<button type="submit">Find</button><datalist id="names"></datalist></form>
<p class="meta" id="findmsg"></p>
<fieldset><legend>Neighbourhood of the selected node</legend>
<button type="button" id="n1">depth 1</button> <button type="button" id="n2">depth 2</button>
<button type="button" id="all">show all</button> <button type="button" id="expand">add its neighbours</button></fieldset>
<details><summary>Filters</summary>
<fieldset><legend>Categories</legend><div class="opts" id="fcat"></div></fieldset>
<fieldset><legend>Predicates</legend><div class="opts" id="fpred"></div></fieldset>
<fieldset><legend>Study types</legend><div class="opts" id="fstudy"></div></fieldset>
<label>Minimum evidence <input type="number" id="minev" min="1" value="1" style="width:4em"></label>
</details>
<p class="meta">Click a node or an edge for its details and evidence. Dashed edges are hedged; negated findings are not drawn.</p>
<div id="detail"></div></div>
<script>__VIS__</script>
<script>
const DATA = __DATA__;
function el(tag, text, attrs){const e=document.createElement(tag); if(text!==undefined) e.textContent=text;
  for(const k in (attrs||{})) e.setAttribute(k, attrs[k]); return e;}
const ALL_NODES=new Map(DATA.nodes.map(n=>[n.id,n])), ALL_EDGES=DATA.edges, EDGE_BY_ID=new Map(DATA.edges.map(e=>[e.id,e]));
for(const n of DATA.nodes){const d=DATA.nodeDetail[n.id]; n.title=d.label+'\\n'+n.id+'\\n'+d.category;}  // plain text
for(const e of ALL_EDGES){const d=DATA.edgeDetail[e.id];
  e.title=DATA.nodeDetail[e.from].label+' '+e.predicate+' '+DATA.nodeDetail[e.to].label+'\\n'+e.evidenceCount+' sentence(s), '+
    e.documentCount+' document(s), confidence '+d.confidence+(d.evidence.length?'\\n- '+d.evidence[0].sentence:'');}
const ADJ=new Map(); for(const e of ALL_EDGES){ for(const [a,b] of [[e.from,e.to],[e.to,e.from]]){ if(!ADJ.has(a)) ADJ.set(a,new Set()); ADJ.get(a).add(b);} }
const state={shown:new Set(DATA.shown), focus:null, cats:new Set(), preds:new Set(DATA.predicates), studies:new Set(DATA.studyTypes), minev:1};
const legend=document.getElementById('legend');
for(const c of DATA.legend){const s=el('span'); const i=el('i'); i.style.background=c.colour; s.appendChild(i);
  s.appendChild(document.createTextNode(c.name)); legend.appendChild(s); state.cats.add(c.name);}
state.cats.add('');
function checkboxes(box, values, set){for(const v of values){const l=el('label'); const c=el('input',undefined,{type:'checkbox'});
  c.checked=true; c.addEventListener('change',()=>{c.checked?set.add(v):set.delete(v); render();}); l.appendChild(c);
  l.appendChild(document.createTextNode(v)); document.getElementById(box).appendChild(l);}}
checkboxes('fcat', DATA.legend.map(c=>c.name), state.cats); checkboxes('fpred', DATA.predicates, state.preds);
checkboxes('fstudy', DATA.studyTypes, state.studies);
document.getElementById('minev').addEventListener('change',e=>{state.minev=Math.max(1,parseInt(e.target.value)||1); render();});
const names=document.getElementById('names'); const seen=new Set();
for(const [id,d] of Object.entries(DATA.nodeDetail)){ for(const n of [d.label].concat(d.synonyms)){ if(seen.has(n)) continue; seen.add(n);
  names.appendChild(el('option',undefined,{value:n})); } }
const nodes=new vis.DataSet([]), edges=new vis.DataSet([]);
const network=new vis.Network(document.getElementById('graph'),{nodes,edges},
  {physics:false,interaction:{hover:true,tooltipDelay:150,hideEdgesOnDrag:true},edges:{smooth:false,arrows:'to',color:'#888888'},
   nodes:{font:{size:16,strokeWidth:3,strokeColor:'#ffffff'}}});
function edgeVisible(e){return state.preds.has(e.predicate) && e.evidenceCount>=state.minev && e.studyTypes.some(t=>state.studies.has(t));}
function within(start, depth){const out=new Set([start]); let frontier=[start];
  for(let d=0; d<depth; d++){const next=[]; for(const n of frontier){ for(const m of (ADJ.get(n)||[])){ if(!out.has(m)){out.add(m); next.push(m);} } } frontier=next;}
  return out;}
function place(id){ // a node that joins the view is put on a ring around a placed neighbour
  const n=ALL_NODES.get(id); if(n.x!==undefined) return;
  const anchor=[...(ADJ.get(id)||[])].map(m=>ALL_NODES.get(m)).find(m=>m.x!==undefined);
  const angle=(hash(id)%360)*Math.PI/180, r=120+hash(id)%80;
  n.x=(anchor?anchor.x:0)+r*Math.cos(angle); n.y=(anchor?anchor.y:0)+r*Math.sin(angle);}
function hash(s){let h=0; for(const c of s) h=(h*31+c.charCodeAt(0))>>>0; return h;}
function render(){
  const allowed=state.focus? within(state.focus.id, state.focus.depth) : state.shown;
  const visN=new Set([...allowed].filter(id=>state.cats.has(ALL_NODES.get(id).category)));
  const visE=ALL_EDGES.filter(e=>visN.has(e.from)&&visN.has(e.to)&&edgeVisible(e));
  for(const id of visN) place(id);
  nodes.clear(); edges.clear(); nodes.add([...visN].map(id=>ALL_NODES.get(id))); edges.add(visE);
  document.getElementById('status').textContent='showing '+visN.size+' of '+ALL_NODES.size+' nodes, '+visE.length+' of '+ALL_EDGES.length+' edges';}
network.on('afterDrawing', () => { if(window.__drawnAt===undefined && nodes.length){ window.__drawnAt=performance.now();
  network.fit({animation:false});
  document.getElementById('status').setAttribute('data-drawn', String(Math.round(window.__drawnAt))); } });
function safeLink(href){return /^https?:\\/\\//.test(href)?href:'#';}
function highlighted(sentence, marks){const p=el('p'); let at=0;
  for(const [a,b] of marks){ if(a<at||b>sentence.length) continue; p.appendChild(document.createTextNode(sentence.slice(at,a)));
    p.appendChild(el('mark', sentence.slice(a,b))); at=b;}
  p.appendChild(document.createTextNode(sentence.slice(at))); return p;}
let selected=null;
function showNode(id){selected=id; const d=DATA.nodeDetail[id], box=document.getElementById('detail'); box.replaceChildren();
  box.appendChild(el('h4', d.label)); box.appendChild(el('a', id, {href:safeLink(d.iri), target:'_blank', rel:'noopener'}));
  box.appendChild(el('p', 'Category: '+(d.category||'(ontology ancestor)')+' | documents: '+d.documents));
  if(d.synonyms.length) box.appendChild(el('p', 'Synonyms: '+d.synonyms.join('; ')));}
function showEdge(id){const d=DATA.edgeDetail[id], e0=EDGE_BY_ID.get(id); if(!d||!e0) return;
  const box=document.getElementById('detail'); box.replaceChildren();
  box.appendChild(el('h4', DATA.nodeDetail[e0.from].label+' \u2014 '+e0.predicate+' \u2192 '+DATA.nodeDetail[e0.to].label));
  box.appendChild(el('p', 'confidence '+d.confidence+' | '+(d.evidence.length+d.more)+' sentence(s)', {class:'meta'}));
  for(const e of d.evidence){const div=el('div', undefined, {class:'ev'}); div.appendChild(highlighted(e.sentence, e.marks));
    const doc=DATA.documents[e.document]||{}, m=el('div', undefined, {class:'meta'});
    m.appendChild(el('a', doc.title||e.document, {href:safeLink(doc.link||''), target:'_blank', rel:'noopener'}));
    m.appendChild(document.createTextNode(' | '+e.section+' | '+e.study_type+(e.organism?' | '+e.organism:'')+' | '+e.certainty+
      (e.quantities&&e.quantities.length?' | '+e.quantities.join(', '):'')));
    div.appendChild(m); box.appendChild(div);}
  if(d.more>0) box.appendChild(el('p', d.more+' more sentence(s) not shown here: see this edge in graph.json, or run '+
    'the shipped query q5_edge_evidence (kg query q5_edge_evidence, after setting its VALUES line to this edge), '+
    'or rebuild with --html-evidence N.', {class:'meta'}));}
network.on('click', p=>{ if(p.nodes.length) showNode(p.nodes[0]); else if(p.edges.length) showEdge(p.edges[0]); });
function find(text){const q=text.trim().toLowerCase(); if(!q) return null; let best=null;
  for(const [id,d] of Object.entries(DATA.nodeDetail)){ const names=[d.label].concat(d.synonyms).map(n=>n.toLowerCase());
    const score=names.includes(q)?2:(names.some(n=>n.includes(q))?1:0);
    if(score && (!best || score>best.score || (score===best.score && d.documents>best.docs))) best={id,score,docs:d.documents}; }
  return best&&best.id;}
document.getElementById('find').addEventListener('submit', ev=>{ev.preventDefault();
  const id=find(document.getElementById('q').value), msg=document.getElementById('findmsg');
  if(!id){msg.textContent='no concept matches'; return;}
  msg.textContent=''; state.shown.add(id); for(const m of (ADJ.get(id)||[])) state.shown.add(m);
  state.cats.add(ALL_NODES.get(id).category); render(); network.selectNodes([id]); network.focus(id,{scale:1.2}); showNode(id);});
function neighbourhood(depth){ if(!selected) {document.getElementById('findmsg').textContent='select a node first'; return;}
  state.focus={id:selected, depth}; render(); network.fit({animation:false}); }
document.getElementById('n1').addEventListener('click',()=>neighbourhood(1));
document.getElementById('n2').addEventListener('click',()=>neighbourhood(2));
document.getElementById('all').addEventListener('click',()=>{state.focus=null; render(); network.fit({animation:false});});
document.getElementById('expand').addEventListener('click',()=>{ if(!selected) return; for(const m of (ADJ.get(selected)||[])) state.shown.add(m); render();});
function buildMatrix(){const m=DATA.matrix, table=document.getElementById('matrix'); table.replaceChildren();
  const head=el('tr'); head.appendChild(el('th','barrier / strategy'));
  for(const s of m.strategies) head.appendChild(el('th', DATA.nodeDetail[s].label)); table.appendChild(head);
  for(const b of m.barriers){ if(!m.cells[b]) continue; const tr=el('tr'); tr.appendChild(el('th', DATA.nodeDetail[b].label, {class:'row'}));
    for(const s of m.strategies){ const c=(m.cells[b]||{})[s]; const td=el('td', c?String(c.evidence):'');
      if(c){ td.className='hit'; td.addEventListener('click',()=>showEdge(c.edge)); } tr.appendChild(td);} table.appendChild(tr);}
  const list=document.getElementById('unopposed'); list.replaceChildren();
  for(const b of m.unopposed) list.appendChild(el('li', DATA.nodeDetail[b].label));}
function tab(which){ document.getElementById('graph').hidden = which!=='graph';
  document.getElementById('matrixview').hidden = which!=='matrix'; if(which==='graph') network.fit({animation:false}); }
document.getElementById('tabgraph').addEventListener('click',()=>tab('graph'));
document.getElementById('tabmatrix').addEventListener('click',()=>tab('matrix'));
buildMatrix();
render(); network.fit({animation:false});
</script></body></html>
"""
@register("html", "graph.html: interactive graph page, self-contained, works offline")
def write_html(graph: nx.MultiDiGraph, out_dir: Path, context: ExportContext) -> list[Path]:
    page = (_TEMPLATE.replace("__VIS__", _vis_js().replace("</script", "<\\/script"))
            .replace("__TITLE__", html_text("IVD-KG knowledge graph"))
            .replace("__DATA__", script_json(page_data(graph, context))))
    return [write_atomic(out_dir / "graph.html", page)]
