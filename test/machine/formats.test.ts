// One machine, many spellings: YAML and JSON, the ways to write a size, an explicit e820 map
// equal to a laid-out one.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parseMachine } from '../../src/machine/index.js';
import { loadMachineFile } from '../../src/machine/load-file.js';
import { parseBytes } from '../../src/machine/units.js';

const examples = fileURLToPath(new URL('../../../examples/machines/', import.meta.url));

describe('machine file formats', () => {
  for (const file of readdirSync(examples).filter((f) => f.endsWith('.yaml'))) {
    it(`${file} reads the same as JSON`, () => {
      const yaml = readFileSync(join(examples, file), 'utf8');
      const json = JSON.stringify(parseYaml(yaml), null, '\t');
      assert.deepEqual(parseMachine(json, file.replace(/yaml$/, 'json')), parseMachine(yaml, file));
    });
  }

  it('JSON written by hand', () => {
    const json = '{"machine": "q35", "nodes": [{"memory": "1G", "cpus": 1}, {"memory": 5368709120, "cpus": 1}]}';
    assert.deepEqual(parseMachine(json, 'q35-6g-numa2.json').firmware, loadMachineFile(join(examples, 'q35-6g-numa2.yaml')).firmware);
  });

  it('the name defaults to the file name, the description to nothing', () => {
    const spec = parseMachine('memory: 1G\n', 'dir/sub/my-box.yml');
    assert.equal(spec.name, 'my-box');
    assert.equal(spec.description, '');
  });

  const spellings: [unknown, number | undefined][] = [
    [4294967296, 2 ** 32], ['4294967296', 2 ** 32], ['0x100000000', 2 ** 32], ['0X1_0', undefined],
    ['4G', 2 ** 32], ['4g', 2 ** 32], ['4GiB', 2 ** 32], ['4 GB', 2 ** 32], ['4096M', 2 ** 32], ['3.5G', 3.5 * 2 ** 30],
    ['64K', 65536], ['1T', 2 ** 40], ['1.3K', undefined], ['4Q', undefined], ['-1', undefined], [-1, undefined], [1.5, undefined], ['', undefined],
  ];
  for (const [v, n] of spellings) {
    it(`size spelling ${JSON.stringify(v)} → ${n}`, () => assert.equal(parseBytes(v as number | string), n));
  }

  it('YAML hex numbers, size strings and quoted hex are the same machine', () => {
    const a = parseMachine('memory: 0x100000000\n', 'a.yaml');
    for (const text of ['memory: 4G\n', 'memory: "0x100000000"\n', 'memory: 4294967296\n']) {
      assert.deepEqual(parseMachine(text, 'a.yaml'), a);
    }
  });

  it('an explicit e820 map equals the laid-out machine it copies', () => {
    const laid = loadMachineFile(join(examples, 'pc-1g.yaml')).firmware;
    const written = loadMachineFile(join(examples, 'e820-pc-1g.yaml')).firmware;
    assert.deepEqual(written, laid);
  });
});
