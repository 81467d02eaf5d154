// Bad firmware maps are refused with the line and field at fault.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { e820CheckEntries, e820ParseMapText } from '../../../src/arch/x86/e820-input.js';
import { E820Type } from '../../../src/arch/x86/e820-types.js';

describe('e820ParseMapText', () => {
  it('reads a pasted dmesg block: timestamps, header and other maps are skipped', () => {
    const text = [
      '[    0.000000] BIOS-provided physical RAM map:',
      '[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable',
      '[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved',
      '',
      'user: [mem 0x0000000000000000-0x000000000009fbff] usable',
      'BIOS-e820: [mem 0x0000000100000000-0x000000017fffffff]  System RAM',
    ].join('\n');
    assert.deepEqual(e820ParseMapText(text), {
      entries: [
        { addr: 0, size: 0x9fc00, type: E820Type.RAM },
        { addr: 0x9fc00, size: 0x400, type: E820Type.RESERVED },
        { addr: 0x100000000, size: 0x80000000, type: E820Type.RAM },
      ],
      errors: [],
    });
    assert.equal(e820ParseMapText(text, { who: 'user' }).entries.length, 1);
  });

  const bad: [string, string, RegExp][] = [
    ['BIOS-e820: [mem 0x0000000000000000-0x000000000009fbzz] usable', 'end', /not 0x-prefixed hex/],
    ['BIOS-e820: [mem 0000000000000000-0x000000000009fbff] usable', 'start', /not 0x-prefixed hex/],
    ['BIOS-e820: [mem 0x00000000000a0000-0x000000000009ffff] usable', 'end', /empty range/],
    ['BIOS-e820: [mem 0x00000000000a0000-0x000000000008ffff] usable', 'end', /below start/],
    ['BIOS-e820: [mem 0x0010000000000000-0x0010000000000fff] usable', 'start', /2\^52/],
    ['BIOS-e820: [mem 0x000ffffffffff000-0x0010000000000fff] usable', 'end', /2\^52/],
    ['BIOS-e820: [mem 0x0000000000000000-0xffffffffffffffff] usable', 'end', /2\^52/],
    ['BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable RAM', 'type', /unknown e820 type label/],
    ['BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff]', 'type', /unknown e820 type label ""/],
    ['BIOS-e820 [mem 0x0-0x1] usable', 'text', /not an e820 map line/],
  ];
  for (const [line, field, message] of bad) {
    it(`refuses ${JSON.stringify(line)} (field ${field})`, () => {
      const { entries, errors } = e820ParseMapText(`BIOS-provided physical RAM map:\n${line}`);
      assert.deepEqual(entries, []);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.line, 2);
      assert.equal(errors[0]!.field, field);
      assert.match(errors[0]!.message, message);
    });
  }

  it('skipOtherLines ignores unrelated text, not broken e820 lines', () => {
    const r = e820ParseMapText('Linux version 6.1\nBIOS-e820: [mem 0x1-0x0] usable', { skipOtherLines: true });
    assert.deepEqual(r.errors.map((e) => [e.line, e.field]), [[2, 'end']]);
  });
});

describe('e820CheckEntries', () => {
  it('accepts a sane map, including byte-granular ends (the kernel trims partial pages)', () => {
    assert.deepEqual(e820CheckEntries([{ addr: 0, size: 0x9fc00, type: 1 }, { addr: 0xfd00000000, size: 0x300000000, type: 2 }]), []);
  });

  const bad: [object, string, RegExp][] = [
    [{ addr: 0x1000, size: 0, type: 1 }, 'size', /empty range/],
    [{ addr: 2 ** 52, size: 0x1000, type: 1 }, 'addr', /2\^52/],
    [{ addr: 2 ** 52 - 0x1000, size: 0x2000, type: 1 }, 'size', /beyond 2\^52/],
    [{ addr: 0.5, size: 0x1000, type: 1 }, 'addr', /not a non-negative integer/],
    [{ addr: 0, size: -1, type: 1 }, 'size', /not a non-negative integer/],
    [{ addr: 0, size: 0x1000, type: 0 }, 'type', /not a u32 e820 type/],
    [{ addr: 0, size: 0x1000, type: 2 ** 32 }, 'type', /not a u32 e820 type/],
  ];
  for (const [entry, field, message] of bad) {
    it(`refuses ${JSON.stringify(entry)} (field ${field})`, () => {
      const errors = e820CheckEntries([{ addr: 0, size: 0x1000, type: 1 }, entry as never]);
      assert.equal(errors.length, 1);
      assert.deepEqual([errors[0]!.line, errors[0]!.field], [2, field]);
      assert.match(errors[0]!.message, message);
    });
  }
});
