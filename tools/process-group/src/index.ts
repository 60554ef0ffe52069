export { descendantsOf, isRunning, type ProcessRow, processTable } from './process-table.js';
export {
  exitWithParent,
  forkInGroup,
  killAllGroups,
  killGroup,
  liveGroupCount,
  spawnInGroup,
} from './spawn-in-group.js';
