/**
 * What the emitter derives from a machine's resource declarations: the handle type of each
 * resource (`SqliteHandle`, a custom provider's handle, or `unknown`), the provider classes a
 * module imports for `custom` resources with a `module`, which resources the factory's options
 * must give, and the `ctx.resources` type of each function slot (role → handle type).
 */
import type { RoleScope } from "../analyze/types.js";
import { missingRequiredKeys, resolveResource } from "../check/resource-kinds.js";
import { compareCodePoints, type JsonValue, type Machine, type ResourceDecl } from "../ir/index.js";
import { isBindingIdentifier, pascalCase, propertyKey } from "./identifiers.js";
import { functionsPathProblem, importSpecifierOf, resolveFunctionsModule } from "./paths.js";

/** A provider class a generated module imports (`import { CacheProvider } from "./cache.provider.js"`). */
export interface ProviderImport {
  /** How the module imports it: a relative specifier (`./cache.provider.js`) or a package. */
  readonly specifier: string;
  /** `default` or the named export. */
  readonly exportName: string;
  /** The local name in the generated module. */
  readonly local: string;
  /** The module as written in the configuration (`./cache.provider.ts`). */
  readonly written: string;
  /** The project path of the module file (`src/cache.provider.ts`); absent for a package. */
  readonly path?: string;
}

/** One declared resource as the emitted module sees it. */
export interface ResourceModel {
  readonly decl: ResourceDecl;
  /** The type of `ctx.resources.<role>` for this resource. */
  readonly handleType: string;
  /** The exported alias naming a custom provider's handle type (`FlowCacheHandle`), when there is a provider. */
  readonly handleAlias?: string;
  readonly provider?: ProviderImport;
  /** Some state or arc uses it (only used resources appear in the factory's options). */
  readonly used: boolean;
  /** The declaration alone cannot open it: `options.resources.<name>` is required. */
  readonly required: boolean;
  /** Only a provider will do (a custom resource without `module`): configuration cannot help. */
  readonly providerOnly: boolean;
}

/** Why a custom resource's `module`/`export` cannot be imported, or undefined when it can. */
export function providerModuleProblem(decl: ResourceDecl): string | undefined {
  const module = decl.config["module"];
  if (module === undefined) return undefined;
  if (typeof module !== "string") return "`module` is not a string";
  if (/\$\{/.test(module)) return "an environment reference cannot name a module that the generated code imports; write the path";
  const problem = functionsPathProblem(module);
  if (problem !== undefined) return problem;
  const exportName = decl.config["export"];
  if (exportName !== undefined && (typeof exportName !== "string" || (exportName !== "default" && !isBindingIdentifier(exportName)))) {
    return `\`export\` must be \`"default"\` or the name of an exported class, found ${JSON.stringify(exportName)}`;
  }
  return undefined;
}

/** Where a custom resource's provider comes from, when it names a usable module. */
interface ProviderSource {
  readonly written: string;
  readonly exportName: string;
  /** How the generated module imports it. */
  readonly specifier: string;
  /** The module file's project path; absent for a package. */
  readonly path?: string;
}

/** The provider source of a declaration of `machine` (emitted into `modulePath`), or undefined. */
function providerSource(machine: Machine, decl: ResourceDecl, modulePath: string): ProviderSource | undefined {
  if (decl.type !== "custom" || providerModuleProblem(decl) !== undefined) return undefined;
  const module: JsonValue | undefined = decl.config["module"];
  if (typeof module !== "string") return undefined;
  const exportName = decl.config["export"];
  const ref = resolveFunctionsModule(machine.sourceFile, module);
  return {
    written: module,
    exportName: typeof exportName === "string" ? exportName : "default",
    ...(ref.kind === "package" ? { specifier: ref.specifier } : { specifier: importSpecifierOf(modulePath, ref.path), path: ref.path }),
  };
}

/**
 * The provider imports of one module (the machines of one source file), deduplicated by module
 * and export, with local names: the export's own name, or `<Resource>Provider` for a default
 * export; a repeated local name gets a number.
 */
export function providerImports(machines: readonly Machine[], modulePath: string): Map<string, ProviderImport> {
  const out = new Map<string, ProviderImport>();
  const taken = new Set<string>();
  for (const machine of machines) {
    for (const decl of machine.resources) {
      const source = providerSource(machine, decl, modulePath);
      if (source === undefined) continue;
      const key = providerKey(source.specifier, source.exportName);
      if (out.has(key)) continue;
      const preferred = source.exportName === "default" ? `${pascalCase(decl.name)}Provider` : source.exportName;
      let local = preferred;
      for (let n = 2; taken.has(local); n++) local = `${preferred}${n}`;
      taken.add(local);
      out.set(key, { ...source, local });
    }
  }
  return out;
}

function providerKey(specifier: string, exportName: string): string {
  return `${specifier}\u0000${exportName}`;
}

/** The resources of one machine, in declaration order (a repeated name keeps its first declaration). */
export function resourceModels(
  machine: Machine,
  machinePascal: string,
  used: readonly string[],
  imports: ReadonlyMap<string, ProviderImport>,
  modulePath: string,
): ResourceModel[] {
  const usedSet = new Set(used);
  const seen = new Set<string>();
  const out: ResourceModel[] = [];
  for (const decl of machine.resources) {
    if (seen.has(decl.name)) continue;
    seen.add(decl.name);
    const resolved = resolveResource(decl.type, decl.config);
    const source = providerSource(machine, decl, modulePath);
    const provider = source !== undefined ? imports.get(providerKey(source.specifier, source.exportName)) : undefined;
    const isCustom = resolved?.kind.kind === "custom";
    const handleAlias = provider !== undefined ? `${machinePascal}${pascalCase(decl.name)}Handle` : undefined;
    const handleType = resolved?.handleType ?? handleAlias ?? "unknown";
    const providerOnly = isCustom && provider === undefined;
    const missing = resolved === undefined ? [] : missingRequiredKeys(resolved.shape, decl.config);
    const isUsed = usedSet.has(decl.name);
    out.push({
      decl,
      handleType,
      ...(handleAlias !== undefined ? { handleAlias } : {}),
      ...(provider !== undefined ? { provider } : {}),
      used: isUsed,
      required: isUsed && (providerOnly || (!isCustom && missing.length > 0)),
      providerOnly,
    });
  }
  return out;
}

/** The alias declaration of a custom provider's handle type: the value its `acquire` resolves to. */
export function handleAliasDeclaration(model: ResourceModel, machineName: string): string | undefined {
  if (model.handleAlias === undefined || model.provider === undefined) return undefined;
  const doc = `/** The handle of resource \`${model.decl.name}\` of machine \`${machineName}\`: what \`${model.provider.local}\` acquires. */`;
  return `${doc}\nexport type ${model.handleAlias} = Awaited<ReturnType<InstanceType<typeof ${model.provider.local}>["acquire"]>>;`;
}

/**
 * The type of `ctx.resources` for a scope: `{ readonly db: SqliteHandle }` (a role bound to
 * several resources by different pushes gets the union of their handle types), `{}` for a scope
 * without roles.
 */
export function resourcesTypeOf(scope: RoleScope, handleOf: (name: string) => string): string {
  const roles = Object.keys(scope).sort(compareCodePoints);
  if (roles.length === 0) return "{}";
  const members = roles.map((role) => {
    const types = [...new Set((scope[role] ?? []).map(handleOf))].sort((a, b) => compareCodePoints(a, b));
    return `readonly ${propertyKey(role)}: ${types.length === 0 ? "unknown" : types.join(" | ")}`;
  });
  return `{ ${members.join("; ")} }`;
}

/** The options member of one resource: `readonly db?: ResourceProvider<SqliteHandle> | ResourceConfig`. */
export function optionMember(model: ResourceModel): string {
  const provider = model.handleType === "unknown" ? "ResourceProvider" : `ResourceProvider<${model.handleType}>`;
  const type = model.providerOnly ? provider : `${provider} | ResourceConfig`;
  return `readonly ${propertyKey(model.decl.name)}${model.required ? "" : "?"}: ${type}`;
}
