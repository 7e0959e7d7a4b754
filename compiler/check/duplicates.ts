/** Duplicate names in one scope: machines of a file, networks, states, record types, resources, fields, roles. */
import type { Machine, ResourceUse, TypeSchema } from "../ir/index.js";
import type { Span } from "../source/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import {
  duplicateField,
  duplicateMachine,
  duplicateNetwork,
  duplicateRecordType,
  duplicateResource,
  duplicateRole,
  duplicateState,
} from "../diagnostics/factories/names.js";
import { schemaNodes } from "../ir/index.js";

/** Groups items by name, keeping source order; yields each name defined more than once with all its places. */
export function repeatedNames<T>(items: readonly T[], name: (item: T) => string, place: (item: T) => Span): [string, Span[]][] {
  const groups = new Map<string, Span[]>();
  for (const item of items) {
    const key = name(item);
    const places = groups.get(key);
    if (places) places.push(place(item));
    else groups.set(key, [place(item)]);
  }
  return [...groups].filter(([, places]) => places.length > 1);
}

/** Machines of one source file that share a name. */
export function checkMachineNames(machines: readonly Machine[]): Diagnostic[] {
  const byFile = new Map<string, Machine[]>();
  for (const m of machines) {
    const list = byFile.get(m.sourceFile);
    if (list) list.push(m);
    else byFile.set(m.sourceFile, [m]);
  }
  const out: Diagnostic[] = [];
  for (const [file, list] of byFile) {
    for (const [name, places] of repeatedNames(list, (m) => m.name, (m) => m.nameSpan)) out.push(duplicateMachine(name, file, places));
  }
  return out;
}

/** Duplicates inside one machine. */
export function checkDuplicates(machine: Machine): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, places] of repeatedNames(machine.networks, (n) => n.name, (n) => n.nameSpan)) {
    out.push(duplicateNetwork(name, machine.name, places));
  }
  for (const network of machine.networks) {
    for (const [name, places] of repeatedNames(network.states, (s) => s.name, (s) => s.nameSpan)) {
      out.push(duplicateState(name, network.name, places));
    }
    out.push(...checkRoles(network.resources, `network \`${network.name}\``));
    for (const state of network.states) {
      out.push(...checkRoles(state.resources, `state \`${state.name}\``));
      for (const arc of state.arcs) out.push(...checkRoles(arc.resources, `an arc of state \`${state.name}\``));
    }
  }
  for (const [name, places] of repeatedNames(machine.records, (r) => r.name, (r) => r.nameSpan)) {
    out.push(duplicateRecordType(name, places));
  }
  for (const [name, places] of repeatedNames(machine.resources, (r) => r.name, (r) => r.nameSpan)) {
    out.push(duplicateResource(name, places));
  }
  for (const record of machine.records) out.push(...checkFields(record.schema, `record type \`${record.name}\``));
  return out;
}

function checkRoles(uses: readonly ResourceUse[], owner: string): Diagnostic[] {
  return repeatedNames(uses, (u) => u.role, (u) => u.span).map(([role, places]) => duplicateRole(role, owner, places));
}

/** Duplicate fields in every object type nested in `schema`. */
function checkFields(schema: TypeSchema, owner: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const node of schemaNodes(schema)) {
    if (node.kind !== "ObjectType") continue;
    for (const [name, places] of repeatedNames(node.fields, (f) => f.name, (f) => f.nameSpan)) out.push(duplicateField(name, owner, places));
  }
  return out;
}
