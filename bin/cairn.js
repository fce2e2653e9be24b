#!/usr/bin/env node
// Entry point of the `cairn` command. The sources are TypeScript run by Node's type stripping
// (Node >= 22.18 / 24), so there is no compile step between an edit and a run.
import '../src-main/cli/main.ts';
