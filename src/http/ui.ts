/**
 * Serves the built web UI (web/dist) from the API's origin under /ui/, so the browser
 * calls the same public API the CLI does with no cross-origin set-up. Every file is
 * public (the UI holds no data; the API behind it asks for a token). Client routes such
 * as /ui/releases/REL-7 answer with index.html; see docs/decisions/0500-1-web-ui.md.
 */
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import { documentHeaders } from './hardening.js';
import { problem, sendProblem } from './problem.js';
import type { Server } from './routes/index.js';

/** web/dist beside src/ and dist/: the same path from the TypeScript and the built server. */
export const UI_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

// The UI loads only its own files and talks only to its own origin.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The page's policy replaces the API's `default-src 'none'`; see hardening.ts. */
const PAGE_HEADERS = documentHeaders(CONTENT_SECURITY_POLICY);

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply.headers(PAGE_HEADERS);
}

export async function registerUi(server: Server, root = UI_ROOT): Promise<void> {
  const hidden = { config: { public: true }, schema: { hide: true } } as const;
  server.get('/', hidden, (_request, reply) => reply.redirect('/ui/'));
  server.get('/ui', hidden, (_request, reply) => reply.redirect('/ui/'));

  if (!existsSync(join(root, 'index.html'))) {
    // A server built without its UI still answers the API; the page says what to do.
    server.get('/ui/*', hidden, (request, reply) =>
      sendProblem(
        reply,
        problem(404, 'ui-not-built', 'the web UI is not built here: run `npm run build`', {
          instance: request.url.split('?')[0],
        }),
      ),
    );
    return;
  }

  await server.register(async (ui) => {
    ui.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    await ui.register(fastifyStatic, {
      root,
      prefix: '/ui/',
      // One route per built file: unknown paths fall to the API's 404 problem, not a file lookup.
      wildcard: false,
      index: false,
      setHeaders: (reply, path) => {
        // Vite names assets by content hash, so they never change under the same name.
        reply.header(
          'cache-control',
          /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
    const page = (_request: unknown, reply: FastifyReply) =>
      pageHeaders(reply).header('cache-control', 'no-cache').sendFile('index.html');
    ui.get('/ui/', hidden, page);
    ui.get('/ui/*', hidden, (request, reply) => {
      // A missing asset is a missing file, not a screen.
      if (request.url.startsWith('/ui/assets/'))
        return sendProblem(
          reply,
          problem(404, 'route-not-found', `no file ${request.url.split('?')[0]}`, {
            instance: request.url.split('?')[0],
          }),
        );
      return page(request, reply);
    });
  });
}
