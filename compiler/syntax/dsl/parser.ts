/**
 * The grammar of the `.fsm` language: a grammar-only chevrotain `CstParser` (no actions; CST →
 * IR is `lower/`). Error recovery is on, so one parse reports several syntax errors. Error
 * messages come from `messages.ts`; `ERR_MSG` strings here say what was expected ("a state
 * name"), and `parse.ts` adds what came before and what was found.
 */
import type { CstNode, IToken } from "chevrotain";
import { TermGrammar } from "./grammar-terms.js";
import { dslErrorMessages } from "./messages.js";
import {
  ALL_TOKENS,
  Arrow,
  Colon,
  Comma,
  Duration,
  Equals,
  Kw,
  LBrace,
  Name,
  NumberLiteral,
  RBrace,
  Semicolon,
  StringLiteral,
} from "./tokens.js";

/** The `.fsm` parser. One instance is reused: set `input`, call `file()`, read `errors`. */
export class DslParser extends TermGrammar {
  constructor() {
    super(ALL_TOKENS, { recoveryEnabled: true, errorMessageProvider: dslErrorMessages, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  readonly file = this.RULE("file", () => {
    this.MANY(() => this.SUBRULE(this.fsmDecl));
  });

  // ── machine ──────────────────────────────────────────────────────────────────────────────

  readonly fsmDecl = this.RULE("fsmDecl", () => {
    this.CONSUME(Kw.fsm);
    this.CONSUME(Name, { LABEL: "name", ERR_MSG: "a machine name" });
    this.OPTION(() => {
      this.CONSUME(Kw.version);
      this.CONSUME(StringLiteral, { LABEL: "version", ERR_MSG: "a version string such as `\"1.2\"`" });
    });
    this.CONSUME(LBrace);
    this.MANY(() => this.SUBRULE(this.machineItem));
    this.CONSUME(RBrace);
  });

  readonly machineItem = this.RULE("machineItem", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.functionsSetting) },
      { ALT: () => this.SUBRULE(this.dataModeClause) },
      { ALT: () => this.SUBRULE(this.maxTransitionsSetting) },
      { ALT: () => this.SUBRULE(this.timeoutSetting) },
      { ALT: () => this.SUBRULE(this.strategySetting) },
      { ALT: () => this.SUBRULE(this.retrySetting) },
      { ALT: () => this.SUBRULE(this.transactionSetting) },
      { ALT: () => this.SUBRULE(this.metadataClause) },
      { ALT: () => this.SUBRULE(this.descriptionSetting) },
      { ALT: () => this.SUBRULE(this.mainNetworkSetting) },
      { ALT: () => this.SUBRULE(this.resourceDecl) },
      { ALT: () => this.SUBRULE(this.recordDecl) },
      { ALT: () => this.SUBRULE(this.networkDecl) },
      { ALT: () => this.CONSUME(Semicolon) },
    ]);
  });

  readonly functionsSetting = this.RULE("functionsSetting", () => {
    this.CONSUME(Kw.functions);
    this.CONSUME(Kw.from);
    this.CONSUME(StringLiteral, { LABEL: "path", ERR_MSG: "the functions module path as a string" });
  });

  readonly maxTransitionsSetting = this.RULE("maxTransitionsSetting", () => {
    this.CONSUME(Kw.max);
    this.CONSUME(Kw.transitions);
    this.CONSUME(NumberLiteral, { LABEL: "value", ERR_MSG: "a number of transitions" });
  });

  readonly timeoutSetting = this.RULE("timeoutSetting", () => {
    this.CONSUME(Kw.timeout);
    this.OR({
      ERR_MSG: "a duration such as `30s` (or a number of seconds)",
      DEF: [
        { ALT: () => this.CONSUME(Duration, { LABEL: "value" }) },
        { ALT: () => this.CONSUME(NumberLiteral, { LABEL: "value" }) },
      ],
    });
  });

  readonly strategySetting = this.RULE("strategySetting", () => {
    this.CONSUME(Kw.strategy);
    this.OR({
      ERR_MSG: "a strategy (`depth_first`, `breadth_first`, `resource_optimized` or `stream_optimized`)",
      DEF: [
        { ALT: () => this.CONSUME(Kw.depth_first, { LABEL: "value" }) },
        { ALT: () => this.CONSUME(Kw.breadth_first, { LABEL: "value" }) },
        { ALT: () => this.CONSUME(Kw.resource_optimized, { LABEL: "value" }) },
        { ALT: () => this.CONSUME(Kw.stream_optimized, { LABEL: "value" }) },
      ],
    });
  });

  readonly retrySetting = this.RULE("retrySetting", () => {
    this.CONSUME(Kw.retry);
    this.CONSUME(LBrace);
    this.MANY(() => {
      this.SUBRULE(this.retryItem);
      this.OPTION(() => this.CONSUME(Comma));
    });
    this.CONSUME(RBrace);
  });

  readonly retryItem = this.RULE("retryItem", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME1(Kw.max);
          this.CONSUME1(Kw.delay);
          this.CONSUME1(Duration, { LABEL: "maxDelay", ERR_MSG: "a duration such as `10s`" });
        },
      },
      {
        ALT: () => {
          this.CONSUME2(Kw.max);
          this.CONSUME1(NumberLiteral, { LABEL: "maxRetries", ERR_MSG: "a number of retries" });
        },
      },
      {
        ALT: () => {
          this.CONSUME2(Kw.delay);
          this.CONSUME2(Duration, { LABEL: "delay", ERR_MSG: "a duration such as `100ms`" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(Kw.backoff);
          this.CONSUME2(NumberLiteral, { LABEL: "backoff", ERR_MSG: "a backoff factor such as `2`" });
        },
      },
    ]);
  });

  /** `transaction none|single|manual`, or `transaction batch [size N] [rollback record|batch]` (either order). */
  readonly transactionSetting = this.RULE("transactionSetting", () => {
    this.CONSUME(Kw.transaction);
    this.OR({
      ERR_MSG: "a transaction mode (`none`, `single`, `batch` or `manual`)",
      DEF: [
        { ALT: () => this.CONSUME(Kw.none, { LABEL: "mode" }) },
        { ALT: () => this.CONSUME(Kw.single, { LABEL: "mode" }) },
        { ALT: () => this.CONSUME(Kw.batch, { LABEL: "mode" }) },
        { ALT: () => this.CONSUME(Kw.manual, { LABEL: "mode" }) },
      ],
    });
    // Options are parsed after any mode, so `transaction single size 10` lowers and the check
    // says the size would be ignored (FSM0223) instead of a bare syntax error.
    this.MANY(() => this.SUBRULE(this.transactionOption));
  });

  readonly transactionOption = this.RULE("transactionOption", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(Kw.size);
          this.CONSUME(NumberLiteral, { LABEL: "size", ERR_MSG: "a batch size (records per transaction)" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(Kw.rollback);
          this.OR2({
            ERR_MSG: "what a failed record rolls back (`record` or `batch`)",
            DEF: [
              { ALT: () => this.CONSUME(Kw.record, { LABEL: "rollback" }) },
              { ALT: () => this.CONSUME(Kw.batch, { LABEL: "rollback" }) },
            ],
          });
        },
      },
    ]);
  });

  readonly descriptionSetting = this.RULE("descriptionSetting", () => {
    this.CONSUME(Kw.description);
    this.CONSUME(StringLiteral, { LABEL: "value", ERR_MSG: "a description string" });
  });

  readonly mainNetworkSetting = this.RULE("mainNetworkSetting", () => {
    this.CONSUME(Kw.main);
    this.CONSUME(Kw.network);
    this.CONSUME(Name, { LABEL: "name", ERR_MSG: "a network name" });
  });

  readonly resourceDecl = this.RULE("resourceDecl", () => {
    this.CONSUME(Kw.resource);
    this.CONSUME1(Name, { LABEL: "name", ERR_MSG: "a resource name" });
    this.CONSUME(Colon);
    this.CONSUME2(Name, { LABEL: "type", ERR_MSG: "a resource type such as `sqlite`" });
    this.OPTION(() => this.SUBRULE(this.objectLiteral, { LABEL: "config" }));
  });

  readonly recordDecl = this.RULE("recordDecl", () => {
    this.CONSUME(Kw.record);
    this.CONSUME(Name, { LABEL: "name", ERR_MSG: "a record name" });
    this.OPTION(() => this.CONSUME(Kw.strict));
    this.SUBRULE(this.objectType);
  });

  // ── networks and states ──────────────────────────────────────────────────────────────────

  readonly networkDecl = this.RULE("networkDecl", () => {
    this.CONSUME(Kw.network);
    this.CONSUME(Name, { LABEL: "name", ERR_MSG: "a network name" });
    this.CONSUME(LBrace);
    this.MANY(() => this.SUBRULE(this.networkItem));
    this.CONSUME(RBrace);
  });

  readonly networkItem = this.RULE("networkItem", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.stateDecl) },
      { ALT: () => this.SUBRULE(this.usesClause) },
      { ALT: () => this.SUBRULE(this.metadataClause) },
      { ALT: () => this.CONSUME(Semicolon) },
    ]);
  });

  readonly stateDecl = this.RULE("stateDecl", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(Kw.start, { LABEL: "modifier" }) },
        { ALT: () => this.CONSUME(Kw.end, { LABEL: "modifier" }) },
      ]);
    });
    this.CONSUME(Kw.state);
    this.CONSUME1(Name, { LABEL: "name", ERR_MSG: "a state name" });
    this.OPTION(() => {
      this.CONSUME(Colon);
      this.CONSUME2(Name, { LABEL: "recordType", ERR_MSG: "a record type name" });
    });
    this.MANY2(() => {
      this.OR2([
        { ALT: () => this.SUBRULE(this.emitClause) },
        { ALT: () => this.SUBRULE(this.usesClause) },
      ]);
    });
    this.OPTION2(() => {
      this.CONSUME(LBrace);
      this.MANY3(() => this.SUBRULE(this.stateItem));
      this.CONSUME(RBrace);
    });
  });

  readonly stateItem = this.RULE("stateItem", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.preClause) },
      { ALT: () => this.SUBRULE(this.doClause) },
      { ALT: () => this.SUBRULE(this.checkClause) },
      { ALT: () => this.SUBRULE(this.arc) },
      { ALT: () => this.SUBRULE(this.onErrorClause) },
      { ALT: () => this.SUBRULE(this.runOnFailureClause) },
      { ALT: () => this.SUBRULE(this.dataModeClause) },
      { ALT: () => this.SUBRULE(this.usesClause) },
      { ALT: () => this.SUBRULE(this.metadataClause) },
      { ALT: () => this.SUBRULE(this.emitClause) },
      { ALT: () => this.CONSUME(Semicolon) },
    ]);
  });

  readonly preClause = this.RULE("preClause", () => {
    this.CONSUME(Kw.pre);
    this.SUBRULE(this.fnList);
  });

  readonly doClause = this.RULE("doClause", () => {
    this.CONSUME(Kw.do);
    this.SUBRULE(this.fnList);
  });

  readonly checkClause = this.RULE("checkClause", () => {
    this.OR([{ ALT: () => this.CONSUME(Kw.check) }, { ALT: () => this.CONSUME(Kw.validate) }]);
    this.SUBRULE(this.fnList);
  });

  readonly onErrorClause = this.RULE("onErrorClause", () => {
    this.CONSUME(Kw.on);
    this.CONSUME(Kw.error);
    this.CONSUME(Arrow);
    this.CONSUME(Name, { LABEL: "target", ERR_MSG: "a state name" });
  });

  readonly runOnFailureClause = this.RULE("runOnFailureClause", () => {
    this.CONSUME(Kw.run);
    this.CONSUME(Kw.on);
    this.CONSUME(Kw.failure);
  });

  readonly dataModeClause = this.RULE("dataModeClause", () => {
    this.CONSUME(Kw.data);
    this.CONSUME(Kw.mode);
    this.OR({
      ERR_MSG: "a data mode (`copy`, `reference` or `direct`)",
      DEF: [
        { ALT: () => this.CONSUME(Kw.copy, { LABEL: "value" }) },
        { ALT: () => this.CONSUME(Kw.reference, { LABEL: "value" }) },
        { ALT: () => this.CONSUME(Kw.direct, { LABEL: "value" }) },
      ],
    });
  });

  readonly usesClause = this.RULE("usesClause", () => {
    this.CONSUME(Kw.uses);
    this.SUBRULE1(this.resourceUse);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.resourceUse);
    });
  });

  /** `db` (role = name) or `lookup = db` (role `lookup`, resource `db`). */
  readonly resourceUse = this.RULE("resourceUse", () => {
    this.CONSUME1(Name, { LABEL: "first", ERR_MSG: "a resource name" });
    this.OPTION(() => {
      this.CONSUME(Equals);
      this.CONSUME2(Name, { LABEL: "second", ERR_MSG: "a resource name" });
    });
  });

  readonly metadataClause = this.RULE("metadataClause", () => {
    this.CONSUME(Kw.metadata);
    this.SUBRULE(this.objectLiteral);
  });

  readonly emitClause = this.RULE("emitClause", () => {
    this.CONSUME(Kw.emit);
    this.OR({
      ERR_MSG: "`true` or `false`",
      DEF: [
        { ALT: () => this.CONSUME(Kw.true, { LABEL: "value" }) },
        { ALT: () => this.CONSUME(Kw.false, { LABEL: "value" }) },
      ],
    });
  });

  // ── arcs ─────────────────────────────────────────────────────────────────────────────────

  readonly arc = this.RULE("arc", () => {
    this.CONSUME(Arrow);
    this.OR({
      ERR_MSG: "a state name",
      DEF: [
        {
          ALT: () => {
            this.CONSUME(Kw.push);
            this.CONSUME1(Name, { LABEL: "network", ERR_MSG: "a network name" });
            this.OPTION(() => {
              this.CONSUME(Colon);
              this.CONSUME2(Name, { LABEL: "entry", ERR_MSG: "a state name of the pushed network" });
            });
            this.MANY1(() => this.SUBRULE1(this.arcClause));
            this.OPTION2(() => this.SUBRULE(this.pushBlock));
          },
        },
        {
          ALT: () => {
            this.CONSUME3(Name, { LABEL: "target" });
            this.MANY2(() => this.SUBRULE2(this.arcClause));
          },
        },
      ],
    });
  });

  readonly arcClause = this.RULE("arcClause", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(Kw.when);
          this.SUBRULE(this.fnRef, { LABEL: "condition" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(Kw.priority);
          this.CONSUME(NumberLiteral, { LABEL: "priority", ERR_MSG: "a priority (an integer)" });
        },
      },
      { ALT: () => this.SUBRULE(this.doClause) },
      {
        ALT: () => {
          this.CONSUME(Kw.name);
          this.CONSUME(StringLiteral, { LABEL: "arcName", ERR_MSG: "the arc name as a string" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(Kw.as);
          this.CONSUME1(Name, { LABEL: "arcName", ERR_MSG: "an arc name" });
        },
      },
      { ALT: () => this.SUBRULE(this.usesClause) },
      { ALT: () => this.SUBRULE(this.metadataClause) },
      {
        ALT: () => {
          this.CONSUME(Kw.returns);
          this.CONSUME2(Name, { LABEL: "returnState", ERR_MSG: "a state name to return to" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(Kw.isolation);
          this.OR2({
            ERR_MSG: "an isolation mode (`copy`, `reference` or `serialize`)",
            DEF: [
              { ALT: () => this.CONSUME(Kw.copy, { LABEL: "isolation" }) },
              { ALT: () => this.CONSUME(Kw.reference, { LABEL: "isolation" }) },
              { ALT: () => this.CONSUME(Kw.serialize, { LABEL: "isolation" }) },
            ],
          });
        },
      },
    ]);
  });

  /** `{ map amount -> value, tier -> tier  result score -> risk }`. */
  readonly pushBlock = this.RULE("pushBlock", () => {
    this.CONSUME(LBrace);
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.mappingClause) }, { ALT: () => this.CONSUME(Semicolon) }]);
    });
    this.CONSUME(RBrace);
  });

  readonly mappingClause = this.RULE("mappingClause", () => {
    this.OR([
      { ALT: () => this.CONSUME(Kw.map, { LABEL: "direction" }) },
      { ALT: () => this.CONSUME(Kw.result, { LABEL: "direction" }) },
    ]);
    this.SUBRULE1(this.fieldMapping);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.fieldMapping);
    });
  });

  readonly fieldMapping = this.RULE("fieldMapping", () => {
    this.SUBRULE1(this.fieldPath, { LABEL: "from" });
    this.CONSUME(Arrow);
    this.SUBRULE2(this.fieldPath, { LABEL: "to" });
  });

  readonly fieldPath = this.RULE("fieldPath", () => {
    this.OR({
      ERR_MSG: "a field name",
      DEF: [{ ALT: () => this.CONSUME(Name) }, { ALT: () => this.CONSUME(StringLiteral) }],
    });
  });
}

let parserInstance: DslParser | undefined;

/** The shared parser (building one runs chevrotain's grammar analysis, so it is done once). */
export function dslParser(): DslParser {
  parserInstance ??= new DslParser();
  return parserInstance;
}

/** Parses a token vector; the parser is reset by setting `input`. */
export function parseTokens(tokens: IToken[]): { cst: CstNode; errors: DslParser["errors"] } {
  const parser = dslParser();
  parser.input = tokens;
  const cst = parser.file();
  return { cst, errors: parser.errors };
}
