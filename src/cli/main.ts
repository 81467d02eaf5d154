// meminit's command line: one file per command, commander for parsing, one-line errors.
import { availableParallelism } from 'node:os';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFERRED_STRATEGIES, type DeferredStrategy } from '../mm/deferred-work.js';
import { EXIT_BAD_INPUT, UserError } from './errors.js';
import { EMITS, REPLAY_EMITS, replayCommand, type Emit, type ReplayEmit } from './replay.js';
import { parseBytes } from '../machine/units.js';
import { bootCommand, memmapBudget, presetsCommand } from './boot.js';
import { serveCommand } from './serve.js';

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
    .addHelpText('after', '\nExamples:\n  meminit boot\n  meminit boot seed --emit zoneinfo\n  meminit boot examples/machines/q35-6g-numa2.yaml --emit json\n  meminit boot q35-4g --memmap --strategy maxorder\n  meminit boot pc-1g --memmap --json' + EXIT_CODES)
    .action(async (machine: string, o: { emit?: Emit; json?: boolean; memmap?: boolean; strategy: DeferredStrategy; workers?: number; memmapBudget?: number }) => {
      const memmap = o.memmap
        ? { strategy: o.strategy, workers: o.workers ?? availableParallelism(), budgetBytes: o.memmapBudget ?? memmapBudget() }
        : undefined;
      setCode(await bootCommand(machine, o.json ? 'json' : o.emit ?? 'summary', out, memmap));
    });

  p.command('replay')
    .description('replay a real boot log (serial console or dmesg text; best with memblock=debug) and predict what the kernel printed')
    .argument('<log>', 'the boot log')
    .addOption(new Option('--emit <what>', 'print: dmesg | memblock | zoneinfo | json | summary | kpageflags').choices(REPLAY_EMITS))
    .option('--check', 'compare every prediction with the log; exit 1 listing each mismatch')
    .option('--json', 'one JSON document on stdout: {file, kernelVersion, matched, mismatches, notes, allocations, managed, machine} (with --check, also {ok}); notes go into it, not to stderr')
    .addHelpText('after', '\nExamples:\n  meminit replay test/corpus/q35-6g-numa2.log --check\n  meminit replay test/corpus/pc-1g.log --check --json\n  meminit replay test/corpus/pc-1g.log --emit kpageflags\n  meminit replay boot.log --emit zoneinfo\n  sudo dmesg > boot.log && meminit replay boot.log --emit json' + EXIT_CODES)
    .action((log: string, o: { emit?: ReplayEmit; check?: boolean; json?: boolean }) => {
      if (o.json && o.emit && o.emit !== 'json') throw new UserError('--json prints one JSON document: use it without --emit (or with --emit json)');
      setCode(replayCommand(log, { ...o, ...(o.emit || o.check || o.json ? {} : { emit: 'summary' as ReplayEmit }) }, out, err));
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
    .description('the /proc files meminit models, for a machine booted with its struct pages, right after boot. A machine file does not say what the kernel allocates from memblock after NUMA init (vmemmap, per-cpu areas, …), so its free and managed pages run higher than a real boot\'s: replay a boot log for the kernel\'s own numbers. iomem: the e820 entries, RAM buffers and the kernel image\'s sections (devices such as PCI windows and ROMs are not modelled). meminfo: MemTotal, MemFree, VmallocTotal, the hugepage lines and the direct map as init_mem_mapping() leaves it; the rest depends on what runs after boot and is not printed')
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
    .addHelpText('after', '\nExamples:\n  meminit bench --size 2G --rounds 1 --workers 0\n  meminit bench --size 384G --workers 0,2 --json\n\nExit codes: 0 ok, 2 bad input (a size, list or count), 3 internal error.')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const { benchCommand } = await import('./bench.js');
      const args: string[] = [];
      for (const k of ['size', 'strategies', 'workers', 'rounds'] as const) if (typeof o[k] === 'string') args.push(`--${k}`, o[k] as string);
      if (o.cold) args.push('--cold');
      if (o.json) args.push('--json');
      setCode(benchCommand(args));
    });

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
