/**
 * Streaming XML for evidence files, over saxes (ADR 0100-1). saxes never fetches an
 * external DTD and knows only XML's five predefined entities, so a reference to any
 * other entity is an error. A DOCTYPE with an internal subset — where entities would be
 * declared, for entity expansion ("billion laughs") or external entities (XXE) — is
 * refused outright; a bare `<!DOCTYPE coverage SYSTEM "…dtd">`, which Cobertura writers
 * emit, is allowed and its DTD is never read.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { clip, invalidEvidence, textChunks, type EvidenceSource } from './source.js';

export interface XmlHandlers {
  open(tag: SaxesTagPlain, depth: number): void;
  close(name: string, depth: number): void;
  /** Text inside elements; only delivered while `wantText()` says so. */
  text?(text: string): void;
  wantText?(): boolean;
}

export async function streamXml(source: EvidenceSource, handlers: XmlHandlers): Promise<string> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let failure: Error | undefined;
  let root = '';
  let depth = 0;
  const fail = (error: Error) => {
    failure ??= error;
  };
  parser.on('error', (error) =>
    fail(invalidEvidence(`not well-formed XML: ${clip(error.message, 200)}`)),
  );
  parser.on('doctype', (doctype) => {
    if (doctype.includes('['))
      fail(
        invalidEvidence(
          'a DOCTYPE with an internal subset is not accepted (entity declarations are refused)',
        ),
      );
  });
  parser.on('opentag', (tag) => {
    if (failure) return;
    if (depth === 0) root = tag.name;
    depth++;
    try {
      handlers.open(tag, depth);
    } catch (error) {
      fail(error as Error);
    }
  });
  parser.on('closetag', (tag) => {
    if (failure) return;
    try {
      handlers.close(tag.name, depth);
    } catch (error) {
      fail(error as Error);
    }
    depth--;
  });
  const onText = (value: string) => {
    if (!failure && handlers.text && handlers.wantText?.()) handlers.text(value);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  for await (const chunk of textChunks(source)) {
    parser.write(chunk);
    if (failure) throw failure;
  }
  parser.close();
  if (failure) throw failure;
  if (!root) throw invalidEvidence('the file holds no XML element');
  return root;
}
