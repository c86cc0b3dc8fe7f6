import { type IResolvable, type IResolveContext, StringConcat, Token, Tokenization } from "cdktf";

/** A `${` that opens a Terraform expression written into the text (not a token). */
const WRITTEN_EXPRESSION = /\$\{(?!TfToken\[)/;

/**
 * `JSON.stringify(document)` for a long document whose strings hold references (tokens), such as a
 * dashboard body: the same text once synthesized, at a cost linear in its length. cdktf resolves a
 * string by searching the rest of it for escape sequences at every token, so a long document with
 * many references costs its length times their number (a 30-service dashboard: 180 ms, a tenth of
 * a 10k-resource synth). Documents that write Terraform expressions of their own (`${...}`) keep
 * cdktf's way: references inside them resolve differently.
 */
export function jsonDocument(document: unknown): string {
  const text = JSON.stringify(document);
  if (!Token.isUnresolved(text) || WRITTEN_EXPRESSION.test(text)) return text;
  return Token.asString(new JsonDocument(text));
}

/** Resolves its text's tokens in one pass, as cdktf's resolver does for a string without escapes. */
class JsonDocument implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(private readonly text: string) {}

  public resolve(context: IResolveContext): string {
    return Tokenization.reverseString(this.text).mapTokens(context).join(new StringConcat()) as string;
  }
}
