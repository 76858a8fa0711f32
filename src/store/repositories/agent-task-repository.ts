import type {
  AgentTask,
  AgentTaskAnswer,
  AgentTaskFailure,
  AgentTaskQuestion,
  WithdrawCause,
} from '../../engine/tasks/agent-task.js';
import { type AgentTaskFilter, type AgentTaskStore, OPEN_TASK_STATUSES } from '../../engine/tasks/agent-task-store.js';
import type { Collection, Database, Filter } from '../collection.js';
import { findManyInOrder, keysetPage, type Page, type PageRequest } from '../pagination.js';

type StoredQuestion = Omit<AgentTaskQuestion, 'data'> & { data: string };
type StoredAnswer = Omit<AgentTaskAnswer, 'payload'> & { payload: string };

/**
 * A task as stored. The agent's and the procedure's free-form data (input, progress, output, a
 * question's data, an answer's payload) are JSON text, so none of it can ever be read as a query
 * operator or a field path. Tasks stored before questions existed lack `question` and `answer`;
 * those stored before trace contexts were recorded lack `traceparent`.
 */
type AgentTaskDocument = Omit<
  AgentTask,
  'id' | 'input' | 'progress' | 'output' | 'question' | 'answer' | 'traceparent'
> & {
  _id: string;
  input: string;
  progress: string;
  output: string;
  question?: StoredQuestion | null;
  answer?: StoredAnswer | null;
  traceparent?: string | null;
};

function storedQuestion(question: AgentTaskQuestion | null): StoredQuestion | null {
  return question && { ...question, data: JSON.stringify(question.data ?? null) };
}

function storedAnswer(answer: AgentTaskAnswer | null): StoredAnswer | null {
  return answer && { ...answer, payload: JSON.stringify(answer.payload ?? null) };
}

function toDocument(task: AgentTask): AgentTaskDocument {
  const { id, input, progress, output, question, answer, ...rest } = task;
  return {
    _id: id,
    ...rest,
    input: JSON.stringify(input ?? null),
    progress: JSON.stringify(progress ?? null),
    output: JSON.stringify(output),
    question: storedQuestion(question),
    answer: storedAnswer(answer),
  };
}

function toTask(doc: AgentTaskDocument): AgentTask {
  const { _id, input, progress, output, question, answer, traceparent, ...rest } = doc;
  return {
    id: _id,
    ...rest,
    input: JSON.parse(input),
    progress: JSON.parse(progress),
    output: JSON.parse(output) as AgentTask['output'],
    question: question ? { ...question, data: JSON.parse(question.data) } : null,
    answer: answer ? { ...answer, payload: JSON.parse(answer.payload) } : null,
    traceparent: traceparent ?? null,
  };
}

const OPEN = { $in: [...OPEN_TASK_STATUSES] };

/** Agent tasks as documents on any adapter: each transition is one findOneAndUpdate guarded by the state it expects. */
export class AgentTaskRepository implements AgentTaskStore {
  private constructor(private readonly tasks: Collection<AgentTaskDocument>) {}

  static async open(db: Database): Promise<AgentTaskRepository> {
    return new AgentTaskRepository(
      await db.collection<AgentTaskDocument>(
        'agent_tasks',
        [
          { fields: ['agentId', 'offeredAt'] },
          { fields: ['handoffId', 'status'] },
          { fields: ['handoffId', 'actionId'] },
          // Claimed tasks by their last heartbeat: what the heartbeat timeouts are found from.
          { fields: ['status', 'lastHeartbeatAt'] },
        ],
        // Asked at every scheduler tick: in memory where the server would read every task (see MirrorSpec).
        {
          mirror: {
            keep: { status: 'CLAIMED' },
            fields: ['status', 'heartbeatTimeoutMs', 'lastHeartbeatAt', 'claimedAt'],
          },
        },
      ),
    );
  }

  async offer(task: AgentTask, at: number): Promise<{ superseded: AgentTask[] }> {
    const superseded: AgentTask[] = [];
    for (const open of await this.tasks.find({ handoffId: task.handoffId, actionId: task.actionId, status: OPEN })) {
      const withdrawn = await this.move(
        open._id,
        { status: OPEN },
        {
          status: 'WITHDRAWN',
          finishedAt: at,
          withdrawal: { cause: 'SUPERSEDED', reason: `attempt ${task.attempt} replaced it` },
        },
      );
      if (withdrawn) superseded.push(withdrawn);
    }
    await this.tasks.insertOne(toDocument(task));
    return { superseded };
  }

  async get(id: string): Promise<AgentTask | null> {
    const doc = await this.tasks.findOne({ _id: id });
    return doc ? toTask(doc) : null;
  }

  getMany(ids: readonly string[]): Promise<(AgentTask | null)[]> {
    return findManyInOrder(this.tasks, ids, toTask);
  }

  /**
   * Claimed tasks are work in flight (as many as agents run at once): the oldest heartbeats are read
   * and those past their own timeout kept.
   */
  async silent(now: number, limit: number): Promise<AgentTask[]> {
    const isSilent = (doc: AgentTaskDocument) =>
      doc.status === 'CLAIMED' &&
      (doc.heartbeatTimeoutMs ?? null) !== null &&
      (doc.lastHeartbeatAt ?? doc.claimedAt ?? now) + (doc.heartbeatTimeoutMs ?? 0) <= now;
    const claimed = await (this.tasks.mirror ?? this.tasks).find(
      { status: 'CLAIMED', heartbeatTimeoutMs: { $ne: null } },
      { sort: { lastHeartbeatAt: 1 }, limit: 10 * limit },
    );
    const candidates = claimed.filter(isSilent).slice(0, limit);
    if (!this.tasks.mirror) return candidates.map(toTask);
    // The mirror holds only what finds them: the tasks themselves are read (and checked again) by id.
    const read = await findManyInOrder(
      this.tasks,
      candidates.map((doc) => doc._id),
      (doc) => doc,
    );
    return read.filter((doc): doc is AgentTaskDocument => doc !== null && isSilent(doc)).map(toTask);
  }

  async deleteOfHandoffs(handoffIds: readonly string[]): Promise<number> {
    return handoffIds.length === 0 ? 0 : this.tasks.deleteMany({ handoffId: { $in: [...handoffIds] } });
  }

  async openOf(handoffId: string): Promise<AgentTask[]> {
    return (await this.tasks.find({ handoffId, status: OPEN })).map(toTask);
  }

  async ofAction(handoffId: string, actionId: string): Promise<AgentTask[]> {
    return (await this.tasks.find({ handoffId, actionId }, { sort: { attempt: 1, offeredAt: 1 } })).map(toTask);
  }

  claim(id: string, tokenDigest: string, by: string, at: number): Promise<AgentTask | null> {
    return this.move(
      id,
      { status: 'OFFERED' },
      { status: 'CLAIMED', tokenDigest, claimedBy: by, claimedAt: at, lastHeartbeatAt: at },
    );
  }

  takeOver(
    id: string,
    by: string,
    staleHeartbeatAt: number | null,
    tokenDigest: string,
    at: number,
  ): Promise<AgentTask | null> {
    return this.move(
      id,
      { status: 'CLAIMED', claimedBy: by, lastHeartbeatAt: staleHeartbeatAt },
      { tokenDigest, lastHeartbeatAt: at },
    );
  }

  heartbeat(id: string, tokenDigest: string, progress: unknown, at: number): Promise<AgentTask | null> {
    return this.move(
      id,
      { status: 'CLAIMED', tokenDigest },
      { lastHeartbeatAt: at, progress: JSON.stringify(progress ?? null) },
    );
  }

  complete(
    id: string,
    tokenDigest: string,
    output: Record<string, unknown> | null,
    at: number,
  ): Promise<AgentTask | null> {
    return this.move(
      id,
      { status: 'CLAIMED', tokenDigest },
      { status: 'COMPLETED', output: JSON.stringify(output), finishedAt: at },
    );
  }

  fail(id: string, tokenDigest: string, failure: AgentTaskFailure, at: number): Promise<AgentTask | null> {
    return this.move(id, { status: 'CLAIMED', tokenDigest }, { status: 'FAILED', failure, finishedAt: at });
  }

  withdraw(
    id: string,
    cause: WithdrawCause,
    reason: string,
    at: number,
    staleHeartbeatAt?: number,
  ): Promise<AgentTask | null> {
    const expected =
      staleHeartbeatAt === undefined ? { status: OPEN } : { status: 'CLAIMED', lastHeartbeatAt: staleHeartbeatAt };
    return this.move(id, expected, { status: 'WITHDRAWN', finishedAt: at, withdrawal: { cause, reason } });
  }

  async ask(
    id: string,
    tokenDigest: string,
    question: { text: string; data: unknown },
    at: number,
    progress?: unknown,
  ): Promise<AgentTask | null> {
    // Only the token's holder asks, so numbering from what it last asked cannot race with another asker.
    const current = await this.get(id);
    if (current?.status !== 'CLAIMED' || current.tokenDigest !== tokenDigest) return null;
    const seq = (current.question?.seq ?? 0) + 1;
    return this.move(
      id,
      { status: 'CLAIMED', tokenDigest },
      {
        question: storedQuestion({ seq, ...question, askedAt: at }),
        lastHeartbeatAt: at,
        ...(progress === undefined ? {} : { progress: JSON.stringify(progress) }),
      },
    );
  }

  answer(id: string, answer: AgentTaskAnswer): Promise<AgentTask | null> {
    return this.move(
      id,
      { status: 'CLAIMED', 'question.seq': answer.seq, 'answer.seq': { $ne: answer.seq } },
      { answer: storedAnswer(answer) },
    );
  }

  /** The compare-and-set every transition is: `changes` applied only while the task matches `expected`. */
  private async move(id: string, expected: Filter, changes: Partial<AgentTaskDocument>): Promise<AgentTask | null> {
    const updated = await this.tasks.findOneAndUpdate({ _id: id, ...expected }, { $set: changes });
    return updated ? toTask(updated) : null;
  }

  private filter(filter: AgentTaskFilter): Filter {
    return filter.statuses?.length
      ? { agentId: filter.agentId, status: { $in: filter.statuses } }
      : { agentId: filter.agentId };
  }

  page(filter: AgentTaskFilter, request: PageRequest): Promise<Page<AgentTask>> {
    return keysetPage(this.tasks, this.filter(filter), 'offeredAt', request, toTask);
  }

  count(filter: AgentTaskFilter): Promise<number> {
    return this.tasks.count(this.filter(filter));
  }
}
