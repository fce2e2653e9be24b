// The shape of an operation's implementation: validated input in, plain data out (the dispatcher
// parses it against the output schema).
import type { z } from 'zod';
import type { ApiParsedInput, OpName, Operations } from '../contract.ts';
import type { ApiContext } from '../context.ts';

export type Handler<K extends OpName> = (input: ApiParsedInput<K>, ctx: ApiContext) => Promise<z.input<Operations[K]['output']>>;

export type HandlerTable<K extends OpName> = { [P in K]: Handler<P> };
