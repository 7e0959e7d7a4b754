/**
 * The terms of the `.fsm` grammar: function references, JSON-ish values and record types. The
 * statement-level rules (machines, networks, states, arcs) extend it in `parser.ts`; chevrotain
 * analyses both together when the derived parser calls `performSelfAnalysis`.
 */
import { CstParser, tokenMatcher, type IParserConfig, type TokenType } from "chevrotain";
import {
  Colon,
  Comma,
  Dot,
  DotDot,
  Greater,
  GreaterEqual,
  InlineBlock,
  InlineCode,
  Kw,
  LBrace,
  LBracket,
  Less,
  LessEqual,
  LParen,
  Name,
  NumberLiteral,
  Pipe,
  Question,
  RBrace,
  RBracket,
  RParen,
  Semicolon,
  StringLiteral,
} from "./tokens.js";

/** Rules shared by every part of the grammar; abstract, as only `DslParser` is complete. */
export abstract class TermGrammar extends CstParser {
  constructor(tokens: readonly TokenType[], config: IParserConfig) {
    super([...tokens], config);
  }

  /** True when `{` starts an object literal of parameters (`{}` or `{ key: …`), not a push-arc mapping block. */
  private paramsAhead(): boolean {
    if (!tokenMatcher(this.LA(1), LBrace)) return false;
    const second = this.LA(2);
    if (tokenMatcher(second, RBrace)) return true;
    return (tokenMatcher(second, Name) || tokenMatcher(second, StringLiteral)) && tokenMatcher(this.LA(3), Colon);
  }

  // ── function references ──────────────────────────────────────────────────────────────────

  readonly fnList = this.RULE("fnList", () => {
    this.SUBRULE1(this.fnRef);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.fnRef);
    });
  });

  readonly fnRef = this.RULE("fnRef", () => {
    this.OR({
      ERR_MSG: "a function (a name, `await name`, `builtin name` or inline code in backticks)",
      DEF: [
        { ALT: () => this.CONSUME(InlineCode) },
        { ALT: () => this.CONSUME(InlineBlock) },
        {
          ALT: () => {
            this.OPTION(() => {
              this.OR2([
                { ALT: () => this.CONSUME(Kw.await, { LABEL: "prefix" }) },
                { ALT: () => this.CONSUME(Kw.builtin, { LABEL: "prefix" }) },
              ]);
            });
            this.SUBRULE(this.dottedName);
            this.OPTION2({ GATE: () => this.paramsAhead(), DEF: () => this.SUBRULE(this.objectLiteral, { LABEL: "params" }) });
          },
        },
      ],
    });
  });

  readonly dottedName = this.RULE("dottedName", () => {
    this.CONSUME1(Name, { ERR_MSG: "a function name" });
    this.MANY(() => {
      this.CONSUME(Dot);
      this.CONSUME2(Name, { ERR_MSG: "a name after `.`" });
    });
  });

  // ── JSON-ish values ──────────────────────────────────────────────────────────────────────

  readonly objectLiteral = this.RULE("objectLiteral", () => {
    this.CONSUME(LBrace);
    this.MANY(() => {
      this.SUBRULE(this.objectEntry);
      this.OPTION(() => this.CONSUME(Comma));
    });
    this.CONSUME(RBrace);
  });

  readonly objectEntry = this.RULE("objectEntry", () => {
    this.OR([
      { ALT: () => this.CONSUME(Name, { LABEL: "key" }) },
      { ALT: () => this.CONSUME(StringLiteral, { LABEL: "key" }) },
    ]);
    this.CONSUME(Colon);
    this.SUBRULE(this.value);
  });

  readonly value = this.RULE("value", () => {
    this.OR({
      ERR_MSG: "a value (a string, a number, `true`, `false`, `null`, `env(…)`, an object or an array)",
      DEF: [
        { ALT: () => this.SUBRULE(this.objectLiteral) },
        { ALT: () => this.SUBRULE(this.arrayLiteral) },
        { ALT: () => this.CONSUME(StringLiteral) },
        { ALT: () => this.CONSUME(NumberLiteral) },
        { ALT: () => this.CONSUME(Kw.true) },
        { ALT: () => this.CONSUME(Kw.false) },
        { ALT: () => this.CONSUME(Kw.null) },
        { ALT: () => this.SUBRULE(this.envCall) },
      ],
    });
  });

  readonly arrayLiteral = this.RULE("arrayLiteral", () => {
    this.CONSUME(LBracket);
    this.MANY(() => {
      this.SUBRULE(this.value);
      this.OPTION(() => this.CONSUME(Comma));
    });
    this.CONSUME(RBracket);
  });

  /** `env("VAR")` or `env("VAR", "default")`: kept unresolved (decision E10). */
  readonly envCall = this.RULE("envCall", () => {
    this.CONSUME(Kw.env);
    this.CONSUME(LParen);
    this.CONSUME1(StringLiteral, { LABEL: "variable", ERR_MSG: "an environment variable name as a string" });
    this.OPTION(() => {
      this.CONSUME(Comma);
      this.CONSUME2(StringLiteral, { LABEL: "fallback", ERR_MSG: "a default value as a string" });
    });
    this.CONSUME(RParen);
  });

  // ── record types ─────────────────────────────────────────────────────────────────────────

  readonly objectType = this.RULE("objectType", () => {
    this.CONSUME(LBrace);
    this.MANY(() => {
      this.SUBRULE(this.fieldDecl);
      this.OPTION(() => {
        this.OR([{ ALT: () => this.CONSUME(Comma) }, { ALT: () => this.CONSUME(Semicolon) }]);
      });
    });
    this.CONSUME(RBrace);
  });

  readonly fieldDecl = this.RULE("fieldDecl", () => {
    this.CONSUME(Name, { LABEL: "name", ERR_MSG: "a field name" });
    this.OPTION(() => this.CONSUME(Question));
    this.CONSUME(Colon);
    this.SUBRULE(this.typeExpr);
  });

  readonly typeExpr = this.RULE("typeExpr", () => {
    this.SUBRULE1(this.postfixType);
    this.MANY(() => {
      this.CONSUME(Pipe);
      this.SUBRULE2(this.postfixType);
    });
  });

  readonly postfixType = this.RULE("postfixType", () => {
    this.SUBRULE(this.primaryType);
    this.MANY(() => this.SUBRULE(this.arraySuffix));
  });

  /** `[]` or `[1..10]` (item count bounds). */
  readonly arraySuffix = this.RULE("arraySuffix", () => {
    this.CONSUME(LBracket);
    this.OPTION(() => this.SUBRULE(this.range));
    this.CONSUME(RBracket);
  });

  readonly primaryType = this.RULE("primaryType", () => {
    this.OR({
      ERR_MSG: "a type (`string`, `number`, `integer`, `boolean`, `null`, `any`, a record name, a literal or `{ … }`)",
      DEF: [
        {
          ALT: () => {
            this.CONSUME(Kw.strict);
            this.SUBRULE1(this.objectType);
          },
        },
        { ALT: () => this.SUBRULE2(this.objectType) },
        {
          ALT: () => {
            this.CONSUME(LParen);
            this.SUBRULE(this.typeExpr);
            this.CONSUME(RParen);
          },
        },
        { ALT: () => this.CONSUME(StringLiteral, { LABEL: "literal" }) },
        { ALT: () => this.CONSUME(NumberLiteral, { LABEL: "literal" }) },
        { ALT: () => this.CONSUME(Kw.true, { LABEL: "literal" }) },
        { ALT: () => this.CONSUME(Kw.false, { LABEL: "literal" }) },
        { ALT: () => this.CONSUME(Kw.null, { LABEL: "literal" }) },
        {
          ALT: () => {
            this.CONSUME(Name, { LABEL: "typeName" });
            this.SUBRULE(this.typeBounds);
          },
        },
      ],
    });
  });

  /** `(1..80)`, `>= 0 < 10`, `matching "re"`: checked against the type in lowering. */
  readonly typeBounds = this.RULE("typeBounds", () => {
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.SUBRULE(this.range);
      this.CONSUME(RParen);
    });
    this.MANY(() => this.SUBRULE(this.comparison));
    this.OPTION2(() => {
      this.CONSUME(Kw.matching);
      this.CONSUME(StringLiteral, { LABEL: "pattern", ERR_MSG: "a regular expression as a string" });
    });
  });

  readonly comparison = this.RULE("comparison", () => {
    this.OR([
      { ALT: () => this.CONSUME(GreaterEqual, { LABEL: "operator" }) },
      { ALT: () => this.CONSUME(Greater, { LABEL: "operator" }) },
      { ALT: () => this.CONSUME(LessEqual, { LABEL: "operator" }) },
      { ALT: () => this.CONSUME(Less, { LABEL: "operator" }) },
    ]);
    this.CONSUME(NumberLiteral, { LABEL: "bound", ERR_MSG: "a number" });
  });

  /** `1..80`, `1..` or `..80` (inclusive). */
  readonly range = this.RULE("range", () => {
    this.OR({
      ERR_MSG: "a range such as `1..80`, `1..` or `..80`",
      DEF: [
        {
          ALT: () => {
            this.CONSUME1(NumberLiteral, { LABEL: "min" });
            this.CONSUME1(DotDot);
            this.OPTION(() => this.CONSUME2(NumberLiteral, { LABEL: "max" }));
          },
        },
        {
          ALT: () => {
            this.CONSUME2(DotDot);
            this.CONSUME3(NumberLiteral, { LABEL: "max", ERR_MSG: "a number after `..`" });
          },
        },
      ],
    });
  });
}
