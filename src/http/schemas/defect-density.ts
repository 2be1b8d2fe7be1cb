import { Type } from '@sinclair/typebox';
import { DEFECT_DENSITY_DIMENSIONS } from '../../domain/metrics/defect-density.js';
import { BUCKETS } from '../../domain/metrics/range.js';
import { Nullable } from './common.js';

const Count = Type.Integer({ minimum: 0 });
const Ratio = Nullable(Type.Number({ minimum: 0 }));

export const DefectDensitySchema = Type.Object({
  group: Type.String(),
  releases: Count,
  releasesWithDefects: Count,
  defects: Count,
  changedServices: Count,
  perRelease: Ratio,
  perChangedService: Ratio,
  defectFreeShare: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
  series: Type.Array(
    Type.Object({ bucket: Type.String(), releases: Count, defects: Count, perRelease: Ratio }),
  ),
});

export const DefectDensityReportSchema = Type.Object({
  range: Type.Object({ since: Type.String(), until: Type.String() }),
  by: Type.String({ enum: [...DEFECT_DENSITY_DIMENSIONS] }),
  bucket: Type.String({ enum: [...BUCKETS] }),
  overall: DefectDensitySchema,
  groups: Type.Array(DefectDensitySchema),
});
