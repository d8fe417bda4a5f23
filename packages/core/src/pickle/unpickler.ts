import { MaskgenError, quote } from '../errors.js';
import { PyGlobal, PyTuple, allowGlobal, callGlobal, storageFromPid } from './torch-globals.js';

const MARK = Symbol('mark');
const bad = (msg: string) => new MaskgenError('INVALID_CHECKPOINT', `PyTorch checkpoint pickle: ${msg}`);
const MAX_ITEMS = 50_000_000;

/** Largest pickle (a state dict's structure, not its tensors) either torch container may hold. */
export const MAX_PICKLE_BYTES = 256 * 1024 * 1024;
const truncations = new WeakSet<object>();

/** True when a pickle failed only because its bytes ended early (a reader may fetch more and retry). */
export function isTruncatedPickle(e: unknown): boolean {
  return typeof e === 'object' && e !== null && truncations.has(e);
}

/** Opcodes refused outright: they build arbitrary objects or use text forms torch.save never writes. */
const REFUSED: Readonly<Record<number, string>> = {
  0x69: 'INST',
  0x6f: 'OBJ',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x50: 'PERSID',
};

/**
 * A pickle reader for `torch.save` state dicts that never runs code: it interprets the opcodes of
 * protocols 2–4 over plain data, resolves GLOBAL/STACK_GLOBAL only against an allowlist (tensor
 * rebuild functions, OrderedDict, storage types), and REDUCE only calls those. Storages come back
 * as references (persistent ids) so tensor bytes stay in the zip until read.
 */
export function unpickle(bytes: Uint8Array): unknown {
  return unpickleAt(bytes, 0).value;
}

/**
 * Reads one pickle starting at byte `start` and says where it ended: torch's legacy container is
 * several pickles back to back (magic number, protocol, sys info, the state dict, storage keys).
 */
export function unpickleAt(bytes: Uint8Array, start: number): { value: unknown; end: number } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let p = start;
  const need = (n: number) => {
    if (p + n > bytes.byteLength) {
      const e = bad(`truncated at byte ${p} (needs ${n} more)`);
      truncations.add(e);
      throw e;
    }
    const at = p;
    p += n;
    return at;
  };
  const pop = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) throw bad(`stack underflow at byte ${p}`);
    return stack.pop();
  };
  const popMark = () => {
    const m = marks.pop();
    if (m === undefined) throw bad(`missing MARK at byte ${p}`);
    const items = stack.splice(m);
    items.shift();
    return items;
  };
  const top = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) throw bad(`no object on the stack at byte ${p}`);
    return stack[stack.length - 1];
  };
  const text = (n: number, latin1 = false) => {
    const at = need(n);
    try {
      return new TextDecoder(latin1 ? 'latin1' : 'utf-8', { fatal: !latin1 }).decode(bytes.subarray(at, at + n));
    } catch {
      throw bad(`invalid UTF-8 string at byte ${at}`);
    }
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, p);
    if (end < 0 && bytes.byteLength - p <= 256) need(bytes.byteLength - p + 1);
    if (end < 0 || end - p > 256) throw bad('unterminated GLOBAL name');
    return text(end - p + 1, true).slice(0, -1);
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) throw bad('SETITEM(S) on something that is not a dict');
    if (items.length % 2) throw bad('odd number of dict items');
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const append = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target)) throw bad('APPEND(S) on something that is not a list');
    if (target.length + items.length > MAX_ITEMS) throw bad('list too long');
    target.push(...items);
  };

  for (;;) {
    const op = bytes[need(1)];
    if (stack.length > MAX_ITEMS || memo.size > MAX_ITEMS) throw bad('too many objects');
    switch (op) {
      case 0x80:
        need(1);
        break; // PROTO
      case 0x95:
        need(8);
        break; // FRAME: framing is only a read hint
      case 0x2e: {
        // STOP
        const result = pop();
        if (result instanceof PyGlobal) throw bad('the pickle evaluates to a bare global');
        return { value: result, end: p };
      }
      case 0x28:
        marks.push(stack.length);
        stack.push(MARK);
        break;
      case 0x30:
        pop();
        break; // POP
      case 0x31:
        popMark();
        break; // POP_MARK
      case 0x32:
        stack.push(top());
        break; // DUP
      case 0x4e:
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4a:
        stack.push(v.getInt32(need(4), true));
        break; // BININT
      case 0x4b:
        stack.push(bytes[need(1)]);
        break; // BININT1
      case 0x4d:
        stack.push(v.getUint16(need(2), true));
        break; // BININT2
      case 0x8a: {
        // LONG1
        const n = bytes[need(1)];
        const at = need(n);
        let x = 0n;
        for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[at + i]);
        if (n > 0 && bytes[at + n - 1] & 0x80) x -= 1n << BigInt(8 * n);
        stack.push(x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x);
        break;
      }
      case 0x47:
        stack.push(v.getFloat64(need(8), false));
        break; // BINFLOAT (big-endian)
      case 0x58:
        stack.push(text(v.getUint32(need(4), true)));
        break; // BINUNICODE
      case 0x8c:
        stack.push(text(bytes[need(1)]));
        break; // SHORT_BINUNICODE
      case 0x8d:
        stack.push(text(Number(v.getBigUint64(need(8), true) & 0xffffffffn)));
        break; // BINUNICODE8
      case 0x54:
        stack.push(text(v.getUint32(need(4), true), true));
        break; // BINSTRING
      case 0x55:
        stack.push(text(bytes[need(1)], true));
        break; // SHORT_BINSTRING
      case 0x42:
      case 0x43: {
        // BINBYTES, SHORT_BINBYTES
        const n = op === 0x42 ? v.getUint32(need(4), true) : bytes[need(1)];
        const at = need(n);
        stack.push(bytes.slice(at, at + n));
        break;
      }
      case 0x7d:
        stack.push(new Map());
        break; // EMPTY_DICT
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x29:
        stack.push(new PyTuple([]));
        break; // EMPTY_TUPLE
      case 0x74:
        stack.push(new PyTuple(popMark()));
        break; // TUPLE
      case 0x85:
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x6c:
        stack.push(popMark());
        break; // LIST
      case 0x64: {
        const m = new Map();
        setItems(m, popMark());
        stack.push(m);
        break;
      } // DICT
      case 0x61: {
        const x = pop();
        append(top(), [x]);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        append(top(), items);
        break;
      } // APPENDS
      case 0x73: {
        const val = pop();
        const key = pop();
        setItems(top(), [key, val]);
        break;
      } // SETITEM
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      } // SETITEMS
      case 0x71:
        memo.set(bytes[need(1)], top());
        break; // BINPUT
      case 0x72:
        memo.set(v.getUint32(need(4), true), top());
        break; // LONG_BINPUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x68:
      case 0x6a: {
        // BINGET, LONG_BINGET
        const k = op === 0x68 ? bytes[need(1)] : v.getUint32(need(4), true);
        if (!memo.has(k)) throw bad(`memo entry ${k} was never stored`);
        stack.push(memo.get(k));
        break;
      }
      case 0x63: {
        const module = line();
        stack.push(allowGlobal(module, line()));
        break;
      } // GLOBAL
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw bad('STACK_GLOBAL needs two strings');
        stack.push(allowGlobal(module, name));
        break;
      }
      case 0x52: {
        const args = pop();
        stack.push(callGlobal(pop(), args));
        break;
      } // REDUCE
      case 0x51:
        stack.push(storageFromPid(pop()));
        break; // BINPERSID
      case 0x62: {
        // BUILD: only an OrderedDict's attribute state (state_dict._metadata), which is ignored
        pop();
        if (!(top() instanceof Map)) throw new MaskgenError('UNSAFE_PICKLE', `pickle sets object state on ${quote(top())}; only dict state is accepted`);
        break;
      }
      default:
        if (REFUSED[op])
          throw new MaskgenError(
            'UNSAFE_PICKLE',
            `pickle opcode ${REFUSED[op]} (0x${op.toString(16)}) at byte ${p - 1} builds arbitrary objects and is not allowed`,
          );
        throw bad(`unsupported opcode 0x${op.toString(16)} at byte ${p - 1}`);
    }
  }
}
