/**
 * Questions every node answers (issue 11): how many connections `/api/disconnect` closed, what
 * `/api/stats` counts, over the whole cluster rather than the node that took the HTTP call.
 *
 * The question goes out on the broker; the broker's publish says how many nodes it reached
 * (Redis answers PUBLISH with its subscriber count), and each of them answers on the asking
 * node's own channel. The call resolves when all have answered, or at a deadline, with what came:
 * a node that died after the question was sent cannot hold an API call forever.
 */
import { randomBytes } from 'node:crypto';
import type { Broker, ClusterAnswer, ClusterQuestion } from '../broker/broker.js';

export class ClusterCalls {
  private readonly pending = new Map<
    string,
    { expected: number; answers: ClusterAnswer[]; done: () => void }
  >();
  private counter = 0;
  private readonly idPrefix = randomBytes(4).toString('hex');

  constructor(
    private readonly broker: Broker,
    private readonly nodeId: string,
    private readonly deadlineMs = 2000,
  ) {}

  /** Asks every node (this one included) and resolves with their answers. */
  async ask(question: ClusterQuestion['question'], org: string): Promise<ClusterAnswer[]> {
    const id = `${this.idPrefix}${(this.counter++).toString(36)}`;
    const answers: ClusterAnswer[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    // Registered before the publish: the local node may answer within it (the local broker).
    const call = { expected: Number.POSITIVE_INFINITY, answers, done };
    this.pending.set(id, call);
    const timer = setTimeout(done, this.deadlineMs);
    try {
      call.expected = await this.broker.publish({
        kind: 'question',
        id,
        from: this.nodeId,
        org,
        question,
      });
      if (answers.length >= call.expected) done();
      await finished;
      return answers;
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  /** An answer the broker brought to this node. */
  receive(answer: ClusterAnswer): void {
    const call = this.pending.get(answer.id);
    if (call === undefined) return;
    call.answers.push(answer);
    if (call.answers.length >= call.expected) call.done();
  }
}
