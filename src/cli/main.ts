// meminit's command line: one file per command, commander for parsing, one-line errors.
import { availableParallelism } from 'node:os';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFERRED_STRATEGIES, type DeferredStrategy } from '../mm/deferred-work.js';
import { EXIT_BAD_INPUT, UserError } from './errors.js';
import { EMITS, REPLAY_EMITS, replayCommand, type Emit, type ReplayEmit } from './replay.js';
import { parseBytes } from '../machine/units.js';
import { bootCommand, memmapBudget, presetsCommand } from './boot.js';
import { serveCommand } from './serve.js';
import { HOTPLUG_RESERVED, type HotplugReserved } from './run.js';

const out = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : s + '\n');
const err = (s: string): void => void process.stderr.write(s.endsWith('\n') ? s : s + '\n');

function parseWorkers(v: string): number {
  if (!/^\d+$/.test(v) || +v > 1024) throw new InvalidArgumentError('a whole number from 0 to 1024');
  return +v;
}

function parseBudget(v: string): number {
  const n = parseBytes(v);
  if (n === undefined) throw new InvalidArgumentError('a size such as 512M or 8G');
  return n;
}

/** The exit codes every command's --help lists. */
const EXIT_CODES = '\n\nExit codes: 0 ok, 1 a mismatch or failed check, 2 bad input (a file, flag, preset or pfn), 3 internal error.';

function program(setCode: (c: number) => void): Command {
  const p = new Command('meminit')
    .description('Linux 6.1 x86_64 physical-memory initialisation, reimplemented and checked against real boots')
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nEvery command that reports takes --json (one JSON document on stdout).' + EXIT_CODES);
  const emit = new Option('--emit <what>', 'print: dmesg | memblock | zoneinfo | json | summary').choices(EMITS);

  p.command('boot')
    .description('print the memory setup Linux 6.1 would do on a machine file or built-in preset (default: "default")')
    .argument('[machine]', 'a machine file (.yaml/.yml/.json) or a preset name (see `meminit presets`)', 'default')
    .addOption(emit)
    .option('--memmap', 'also write the struct pages, free memory to the buddy allocator and run deferred page init')
    .option('--json', 'the same as --emit json: one JSON document {machine, memmap?} on stdout')
    .addOption(new Option('--strategy <name>', 'deferred init as Linux 4.19 (legacy), 5.2 (maxorder) or 6.1 (parallel) did it').choices(DEFERRED_STRATEGIES).default('parallel'))
    .addOption(new Option('--workers <n>', 'worker threads per node for parallel (legacy, maxorder: one per node); 0: main thread').argParser(parseWorkers))
    .addOption(new Option('--memmap-budget <size>', 'host memory the memmap may take (default: half of it)').argParser(parseBudget))
    .option('--script <file>', 'after boot (implies --memmap), set up memory hotplug (the machine\'s DIMMs plugged) and run a hotplug script (see `meminit run --help`)')
    .addOption(new Option('--hotplug-reserved <mode>', 'with --script: keep PG_reserved on hot-added struct pages until first freed (6.1) or drop it').choices(HOTPLUG_RESERVED).default('keep'))
    .addHelpText('after', '\nExamples:\n  meminit boot\n  meminit boot seed --emit zoneinfo\n  meminit boot examples/machines/q35-6g-numa2.yaml --emit json\n  meminit boot q35-4g --memmap --strategy maxorder\n  meminit boot pc-1g --memmap --json\n  meminit boot hotplug --script examples/scripts/online-offline.sh' + EXIT_CODES)
    .action(async (machine: string, o: { emit?: Emit; json?: boolean; memmap?: boolean; strategy: DeferredStrategy; workers?: number; memmapBudget?: number; script?: string; hotplugReserved: HotplugReserved }) => {
      const memmap = o.memmap || o.script
        ? { strategy: o.strategy, workers: o.workers ?? availableParallelism(), budgetBytes: o.memmapBudget ?? memmapBudget() }
        : undefined;
      setCode(await bootCommand(machine, o.json ? 'json' : o.emit ?? 'summary', out, memmap, o.script ? { script: o.script, reserved: o.hotplugReserved, err } : undefined));
    });

  p.command('replay')
    .description('replay a real boot log (serial console or dmesg text; best with memblock=debug) and predict what the kernel printed')
    .argument('<log>', 'the boot log')
    .addOption(new Option('--emit <what>', 'print: dmesg | memblock | zoneinfo | json | summary | kpageflags').choices(REPLAY_EMITS))
    .option('--check', 'compare every prediction with the log (and, for corpus boots with hotplug actions, every action\'s result and captures); exit 1 listing each mismatch')
    .option('--json', 'one JSON document on stdout: {file, kernelVersion, matched, mismatches, notes, allocations, managed, machine} (with --check, also {ok}); notes go into it, not to stderr')
    .option('--script <file>', 'after the replay, run a hotplug script on the replayed machine (its struct pages, memory blocks and boot DIMMs set up)')
    .addOption(new Option('--hotplug-reserved <mode>', 'hot-added struct pages: keep PG_reserved until first freed (6.1) or drop it').choices(HOTPLUG_RESERVED).default('keep'))
    .addHelpText('after', '\nExamples:\n  meminit replay test/corpus/q35-6g-numa2.log --check\n  meminit replay test/corpus/pc-2g-dimm-online.log --check\n  meminit replay test/corpus/pc-1g.log --check --json\n  meminit replay test/corpus/pc-1g.log --emit kpageflags\n  meminit replay test/corpus/pc-4g-numa2-dimm-movable-node.log --script examples/scripts/movable-node.sh\n  meminit replay boot.log --emit zoneinfo\n  sudo dmesg > boot.log && meminit replay boot.log --emit json' + EXIT_CODES)
    .action(async (log: string, o: { emit?: ReplayEmit; check?: boolean; json?: boolean; script?: string; hotplugReserved: HotplugReserved }) => {
      if (o.json && o.emit && o.emit !== 'json') throw new UserError('--json prints one JSON document: use it without --emit (or with --emit json)');
      if (o.json && o.script) throw new UserError('--json and --script: run the script with `meminit run --json`, or drop --json');
      setCode(await replayCommand(log, { ...o, ...(o.emit || o.check || o.json || o.script ? {} : { emit: 'summary' as ReplayEmit }) }, out, err));
    });

  p.command('serve')
    .description('serve the web UI: boot presets or your own machine files and boot logs, and look at their memory')
    .option('--port <n>', 'TCP port (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on; anything but loopback (127.0.0.1, ::1) must be asked for and gets a warning', '127.0.0.1')
    .addHelpText('after', '\nExamples:\n  meminit serve                 # then open http://127.0.0.1:8080/\n  meminit serve --port 9000\n\nExit codes: 0 after Ctrl-C, 2 bad input (a port that is taken or not a number), 3 internal error.')
    .action(async (o: { port: string; host: string }) => setCode(await serveCommand(o, out, err)));

  p.command('check')
    .description('boot a machine with its struct pages and check the memmap invariants (init once, zone links, reserved, free lists, pageblocks)')
    .argument('[machine]', 'a machine file (.yaml/.yml/.json) or a preset name (see `meminit presets`)', 'default')
    .addOption(new Option('--strategy <name>', 'deferred init strategy to boot with').choices(DEFERRED_STRATEGIES).default('parallel'))
    .option('--json', 'print {"ok", "pfns", "freeBlocks", "total", "violations": [{"what", "pfn", "nid", "zone", "detail"}]}')
    .addHelpText('after', '\nExamples:\n  meminit check pc-1g\n  meminit check examples/machines/q35-6g-numa2.yaml --strategy legacy\n  meminit check q35-4g --json\n\nExit codes: 0 no violation, 1 violations (listed), 2 bad input (a file, flag or preset), 3 internal error.')
    .action(async (machine: string, o: { strategy: DeferredStrategy; json?: boolean }) =>
      setCode((await import('./check.js')).checkCommand(machine, o, out)));

  p.command('page')
    .description('boot a machine with its struct pages and decode one: flags by name, node, zone, counts, lru links, buddy order, pageblock migratetype')
    .argument('<pfn>', 'the page frame number, 0x-hex or decimal')
    .argument('[machine]', 'a machine file or preset name', 'default')
    .addOption(new Option('--strategy <name>', 'deferred init strategy').choices(['legacy', 'maxorder', 'parallel']).default('parallel'))
    .option('--json', 'print the decoded page as JSON')
    .addHelpText('after', '\nExamples:\n  meminit page 0x1000 pc-1g\n  meminit page 0x30000 pc-1g --json\n  meminit page 4096 q35-4g --strategy legacy' + EXIT_CODES)
    .action(async (pfn: string, machine: string, o: { strategy: 'legacy' | 'maxorder' | 'parallel'; json?: boolean }) => {
      const { pageCommand } = await import('./page.js');
      setCode(pageCommand(pfn, machine, o, out));
    });

  p.command('proc')
    .description('the /proc files meminit models, for a machine booted with its struct pages, at the end of boot: every memblock allocation Debian\'s 6.1 makes up to memblock_free_all(), its DIMMs added by ACPI, the initrd and the image\'s unused parts freed, so managed pages and watermarks are the kernel\'s (free pages are what boot left before anything ran). iomem: the e820 entries, RAM buffers and the kernel image\'s sections (devices such as PCI windows and ROMs are not modelled). meminfo: MemTotal, MemFree, VmallocTotal, the hugepage lines and the direct map as init_mem_mapping() leaves it; the rest depends on what runs after boot and is not printed')
    .addArgument(new Argument('<file>', 'zoneinfo | buddyinfo | pagetypeinfo | iomem | meminfo').choices(['zoneinfo', 'buddyinfo', 'pagetypeinfo', 'iomem', 'meminfo']))
    .argument('[machine]', 'a machine file or preset name', 'default')
    .addOption(new Option('--strategy <name>', 'deferred init strategy').choices(['legacy', 'maxorder', 'parallel']).default('parallel'))
    .option('--json', 'print {"file", "machine", "lines": [the text], "data": [what each line carries]}')
    .addHelpText('after', '\nExamples:\n  meminit proc buddyinfo pc-1g\n  meminit proc zoneinfo q35-4g\n  meminit proc iomem q35-4g\n  meminit proc meminfo pc-1g --json\n  meminit proc pagetypeinfo pc-1g' + EXIT_CODES)
    .action(async (file: 'zoneinfo' | 'buddyinfo' | 'pagetypeinfo' | 'iomem' | 'meminfo', machine: string, o: { strategy: 'legacy' | 'maxorder' | 'parallel'; json?: boolean }) => {
      const { procCommand } = await import('./proc.js');
      setCode(procCommand(file, machine, o, out));
    });

  p.command('bench')
    .description('time deferred struct page init of one node for each strategy and thread count, beside the seed series\' figures; writes bench/results.json')
    .option('--size <size>', 'the node size, e.g. 16G (default) or 384G, the seed\'s node (a 6 GiB memmap)')
    .option('--strategies <list>', 'comma-separated: legacy,maxorder,parallel (default: all)')
    .option('--workers <list>', 'comma-separated thread counts; 0 is the main thread (default: 0,1,cores)')
    .option('--rounds <n>', 'rounds per configuration; the best counts (default 3)')
    .option('--cold', 'do not warm the worker threads up first')
    .option('--json', 'print {floor, runs, seed, …} as JSON for scripts')
    .option('--out <file>', 'write the results there instead of bench/results.json')
    .addHelpText('after', '\nExamples:\n  meminit bench --size 2G --rounds 1 --workers 0\n  meminit bench --size 384G --workers 0,2 --json\n\nExit codes: 0 ok, 2 bad input (a size, list or count), 3 internal error.')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const { benchCommand } = await import('./bench.js');
      const args: string[] = [];
      for (const k of ['size', 'strategies', 'workers', 'rounds', 'out'] as const) if (typeof o[k] === 'string') args.push(`--${k}`, o[k] as string);
      if (o.cold) args.push('--cold');
      if (o.json) args.push('--json');
      setCode(benchCommand(args));
    });

  const reservedOpt = (): Option => new Option('--hotplug-reserved <mode>', 'hot-added struct pages: keep PG_reserved until first freed (6.1) or drop it (the seed thread\'s proposal)').choices(HOTPLUG_RESERVED).default('keep');
  const strategyOpt = (): Option => new Option('--strategy <name>', 'deferred init strategy to boot with').choices(DEFERRED_STRATEGIES).default('parallel');

  p.command('run')
    .description('boot a machine with its struct pages and memory hotplug (its DIMMs plugged at boot), then run a hotplug script: echo VALUE > PATH, cat PATH, ls PATH, echo TEXT, dimm add START SIZE [node=N], remove START SIZE, alloc PAGES [type=…] [order=K] [node=N] [zone=Z], free ID, check. Exit 0 when every line succeeded, 1 when the kernel refused one, 2 for a malformed script')
    .argument('<script>', 'the script file (see docs/hotplug.md)')
    .argument('[machine]', 'a machine file (.yaml/.yml/.json) or a preset name', 'default')
    .addOption(strategyOpt())
    .addOption(reservedOpt())
    .option('--json', 'print {"machine", "script", "results": [{"line", "command", "out", "errno"?, "error"?}]}')
    .addHelpText('after', '\nExamples:\n  meminit run examples/scripts/online-offline.sh hotplug\n  meminit run examples/scripts/online-offline.sh hotplug --hotplug-reserved drop\n  meminit run examples/scripts/pmem.sh default\n  meminit run examples/scripts/online-offline.sh hotplug --json' + EXIT_CODES)
    .action(async (script: string, machine: string, o: { strategy: DeferredStrategy; hotplugReserved: HotplugReserved; json?: boolean }) => {
      const { runCommand } = await import('./run.js');
      setCode(runCommand(script, machine, { strategy: o.strategy, reserved: o.hotplugReserved, ...(o.json ? { json: true } : {}) }, out, err));
    });

  const sysfs = p.command('sysfs')
    .description('read or write one emulated sysfs or /proc file of a freshly booted machine (after --script, if given)');
  for (const op of ['cat', 'write'] as const) {
    sysfs.command(op)
      .description(op === 'cat' ? 'print a file: /sys/devices/system/memory/…, /sys/devices/system/node/…, /proc/zoneinfo|buddyinfo|pagetypeinfo|iomem|meminfo'
        : 'write a value as `echo VALUE > PATH` would; a refusal prints the kernel\'s errno text and exits 1')
      .argument('<path>', 'the file')
      .argument(op === 'cat' ? '[none]' : '<value>', op === 'cat' ? '(nothing)' : 'the value')
      .option('--machine <machine>', 'a machine file or preset name', 'default')
      .option('--script <file>', 'a hotplug script to run first')
      .addOption(strategyOpt())
      .addOption(reservedOpt())
      .option('--json', 'print {"path", "op", "text"?, "errno"?, "error"?}')
      .addHelpText('after', op === 'cat'
        ? '\nExamples:\n  meminit sysfs cat /sys/devices/system/memory/block_size_bytes\n  meminit sysfs cat /sys/devices/system/memory/memory40/valid_zones --machine hotplug\n  meminit sysfs cat /proc/zoneinfo --machine hotplug --script examples/scripts/online-offline.sh' + EXIT_CODES
        : '\nExamples:\n  meminit sysfs write /sys/devices/system/memory/memory40/state online_movable --machine hotplug\n  meminit sysfs write /sys/devices/system/memory/auto_online_blocks online' + EXIT_CODES)
      .action(async (path: string, value: string | undefined, o: { machine: string; script?: string; strategy: DeferredStrategy; hotplugReserved: HotplugReserved; json?: boolean }) => {
        const { sysfsCommand } = await import('./run.js');
        setCode(sysfsCommand(op, path, value, o.machine, { strategy: o.strategy, reserved: o.hotplugReserved, ...(o.script ? { script: o.script } : {}), ...(o.json ? { json: true } : {}) }, out, err));
      });
  }

  p.command('presets')
    .description('list the built-in machines')
    .option('--json', 'print [{"name", "description"}] as JSON')
    .addHelpText('after', '\nExamples:\n  meminit presets\n  meminit presets --json\n\nExit codes: 0 ok, 2 bad input (an unknown flag).')
    .action((o: { json?: boolean }) => setCode(presetsCommand(out, o)));
  return p;
}

/** Run the CLI; returns the exit code (0 ok, 1 mismatch, 2 bad input). */
export async function run(argv: string[]): Promise<number> {
  let code = 0;
  try {
    await program((c) => (code = c)).parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    if (e instanceof UserError) {
      err(`meminit: ${e.message}`);
      return e.exitCode;
    }
    err(`meminit: internal error: ${(e as Error).message} (please report this with the input that caused it)`);
    return 3;
  }
}
