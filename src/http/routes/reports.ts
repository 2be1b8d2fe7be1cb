import { Type } from '@sinclair/typebox';
import { query } from '../../app/context.js';
import { quarterlyReport } from '../../app/reports/quarterlyReport.js';
import { renderQuarterlyHtml } from '../../domain/report/quarterly-html.js';
import { renderQuarterlyMarkdown } from '../../domain/report/quarterly-markdown.js';
import { StringEnum } from '../../domain/schema-kit.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import { QuarterlyReportSchema } from '../schemas/reports.js';
import type { RouteDeps } from './index.js';

export const REPORT_FORMATS = ['json', 'html', 'markdown'] as const;

export function reportRoutes({ server, app }: RouteDeps): void {
  server.get(
    '/reports/quarterly/:quarter',
    {
      schema: {
        tags: ['reports'],
        summary:
          'The quarterly health report: measures against the previous quarter, trends, control-chart signals, top contributing factors, overdue actions; anonymised (docs/reports.md)',
        produces: ['application/json', 'text/html', 'text/markdown'],
        params: Type.Object({
          quarter: Type.String({
            minLength: 1,
            maxLength: 20,
            description: 'YYYY-Qn, e.g. 2026-Q3; a quarter that has started',
          }),
        }),
        querystring: Type.Object(
          { format: StringEnum(REPORT_FORMATS, { default: 'json' }) },
          { additionalProperties: false },
        ),
        response: { 200: QuarterlyReportSchema, ...ERROR_RESPONSES, 409: Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      const report = await query(app, request.actor, (ctx) =>
        quarterlyReport(ctx, request.params.quarter),
      );
      if (request.query.format === 'html')
        return reply.type('text/html; charset=utf-8').send(renderQuarterlyHtml(report));
      if (request.query.format === 'markdown')
        return reply.type('text/markdown; charset=utf-8').send(renderQuarterlyMarkdown(report));
      return report;
    },
  );
}
