/**
 * Test support: answers IPC commands through Tauri's `mockIPC`, so that tests exercise the real
 * `ipc.ts`. Handlers are typed from the generated command map; a handler that throws makes the
 * command reject with what it threw, as the Rust side would.
 */
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";

import type { CommandName, Commands } from "../bindings/commands";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { ErrorDto } from "../bindings/ErrorDto";

export type CommandHandlers = {
  [K in CommandName]?: (
    args: Commands[K]["args"],
  ) => Commands[K]["result"] | Promise<Commands[K]["result"]>;
};

/** One call the mocked back end received. */
export interface RecordedCall {
  cmd: string;
  args: unknown;
}

/** Installs `handlers`; a command without one rejects as an internal error. */
export function mockCommands(handlers: CommandHandlers): RecordedCall[] {
  const calls: RecordedCall[] = [];
  mockIPC(
    async (cmd, args) => {
      calls.push({ cmd, args });
      const handler = handlers[cmd as CommandName] as
        | ((args: unknown) => unknown)
        | undefined;
      if (handler === undefined) {
        throw { code: "internal", message: `no mock for ${cmd}` } satisfies ErrorDto;
      }
      return handler(args);
    },
    { shouldMockEvents: true },
  );
  return calls;
}

/** The error a command rejects with, for `throw rejection("forbidden", "…")` in handlers. */
export function rejection(code: ErrorCode, message: string): ErrorDto {
  return { code, message };
}

/** The commands of `calls` named `cmd`. */
export function callsTo(calls: RecordedCall[], cmd: CommandName): RecordedCall[] {
  return calls.filter((c) => c.cmd === cmd);
}

export { clearMocks };
