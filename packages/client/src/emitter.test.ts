import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './emitter.js';

interface Events {
  tick: (ctx: { n: number }) => void;
  done: (ctx: { reason: string }) => void;
}

class Ticker extends TypedEmitter<Events> {
  fire<K extends keyof Events>(event: K, ctx: Parameters<Events[K]>[0]): void {
    this.emit(event, ctx);
  }
}

describe('TypedEmitter', () => {
  it('on / off / once', () => {
    const t = new Ticker(() => undefined);
    const seen: number[] = [];
    const listener = (ctx: { n: number }): void => void seen.push(ctx.n);
    t.on('tick', listener);
    t.once('tick', (ctx) => seen.push(ctx.n * 100));
    t.fire('tick', { n: 1 });
    t.fire('tick', { n: 2 });
    t.off('tick', listener);
    t.fire('tick', { n: 3 });
    expect(seen).toEqual([1, 100, 2]);
  });

  it('on returns a remover', () => {
    const t = new Ticker(() => undefined);
    let count = 0;
    const remove = t.on('done', () => count++);
    t.fire('done', { reason: 'x' });
    remove();
    t.fire('done', { reason: 'y' });
    expect(count).toBe(1);
  });

  it('a throwing listener is reported and does not stop the others', () => {
    const errors: [unknown, string][] = [];
    const t = new Ticker((error, event) => errors.push([error, event]));
    const seen: string[] = [];
    t.on('done', () => {
      throw new Error('boom');
    });
    t.on('done', (ctx) => seen.push(ctx.reason));
    t.fire('done', { reason: 'ok' });
    expect(seen).toEqual(['ok']);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[1]).toBe('done');
  });

  it('a listener added during an emit runs from the next emit on', () => {
    const t = new Ticker(() => undefined);
    const seen: string[] = [];
    t.on('tick', () => {
      seen.push('first');
      t.on('tick', () => seen.push('late'));
    });
    t.fire('tick', { n: 1 });
    expect(seen).toEqual(['first']);
  });
});
