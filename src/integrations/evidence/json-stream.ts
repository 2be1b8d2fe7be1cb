/**
 * Streaming JSON for evidence files, over @streamparser/json (ADR 0100-1): only the
 * parts a parser asks for (by path) are built as values, and each is dropped once
 * handed over, so a report's size does not set the memory it needs.
 */
import { JSONParser } from '@streamparser/json';
import { clip, invalidEvidence, textChunks, type EvidenceSource } from './source.js';

/** A value found at one of the requested paths, with the keys leading to it. */
export interface JsonHit {
  path: Array<string | number>;
  value: unknown;
}

export async function streamJson(
  source: EvidenceSource,
  paths: string[],
  onValue: (hit: JsonHit) => void,
): Promise<void> {
  const parser = new JSONParser({ paths, keepStack: false });
  let failure: Error | undefined;
  let sawAnything = false;
  parser.onValue = ({ value, key, stack }) => {
    if (failure) return;
    const path = [...stack.slice(1).map((s) => s.key), key].filter(
      (k): k is string | number => k !== undefined,
    );
    try {
      onValue({ path, value });
    } catch (error) {
      failure = error as Error;
    }
  };
  parser.onError = (error) => {
    failure ??= invalidEvidence(`not valid JSON: ${clip(error.message, 200)}`);
  };
  parser.onEnd = () => undefined;
  for await (const chunk of textChunks(source)) {
    if (chunk.trim()) sawAnything = true;
    if (parser.isEnded) {
      if (chunk.trim()) throw invalidEvidence('not valid JSON: more than one document');
      continue;
    }
    parser.write(chunk);
    if (failure) throw failure;
  }
  if (!sawAnything) throw invalidEvidence('the file is empty');
  if (!parser.isEnded) parser.end();
  if (failure) throw failure;
}
