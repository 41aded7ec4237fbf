import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type express from 'express';
import type { Router } from 'express';
import type { JobQueueAdapter } from './job-queue.adapter.js';

/** Bull Board's UI, API and static assets over every queue, as one router to mount at `basePath`. */
export function bullBoardRouter(jobs: JobQueueAdapter, basePath: string): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: jobs.allQueues().map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'SaaS bridge queues' } },
  });
  const board = serverAdapter.getRouter() as express.Express;
  // the board is an express app of its own: it would name our framework to every visitor
  board.disable('x-powered-by');
  return board;
}
