export {
  sourceConformance,
  type ConformanceCase,
  type HubControl,
  type InjectedFault,
  type MakeOptions,
  type SeenRequest,
  type SourceUnderTest,
} from './source-conformance.js';
export { CONFORMANCE_REPO, conformanceFiles, patternBytes } from './fixture.js';
