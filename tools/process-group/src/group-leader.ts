/**
 * The group leader: `node group-leader.js <command> [args…]`, started by `spawnInGroup` in a
 * process group of its own (it is the group's leader: the group id is its pid).
 *
 * - It runs the command in its group, with its own stdin, stdout and stderr (the parent's
 *   pipes reach the command directly), and exits as the command exits (same code, same signal).
 * - It forwards SIGTERM, SIGINT, SIGHUP and SIGUSR2 to the command, so `child.kill('SIGTERM')`
 *   in the parent reaches the command as before.
 * - File descriptor 3 is a pipe from the parent that carries nothing. When it reaches its end,
 *   the parent is gone (exited, crashed or SIGKILLed): the leader kills the whole group.
 * - When the command exits, what it left running in the group is killed too.
 */
import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { processTable } from './process-table.js';

const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR2'] as const;

/** Kills every process of this group: the leader too, so it never returns. */
function killWholeGroup(): void {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } finally {
    process.exit(137);
  }
}

/** Kills every other process of this group, leaving the leader. */
function killTheRest(): void {
  for (const row of processTable()) {
    if (row.pgrp !== process.pid || row.pid === process.pid) continue;
    try {
      process.kill(row.pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  process.stderr.write('usage: group-leader <command> [args…]\n');
  process.exit(2);
}

const watch = new Socket({ fd: 3, readable: true, writable: false });
watch.on('end', killWholeGroup);
watch.on('close', killWholeGroup);
watch.on('error', killWholeGroup);
watch.resume();

const child = spawn(command, args, { stdio: 'inherit' });
for (const signal of FORWARDED) {
  process.on(signal, () => {
    child.kill(signal);
  });
}
child.on('error', (error) => {
  process.stderr.write(`group-leader: ${command}: ${error.message}\n`);
  killTheRest();
  process.exit(127);
});
child.on('exit', (code, signal) => {
  killTheRest();
  if (signal !== null) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
