// The HTTP edge of every function: functions-framework's Express app answers body-parser and routing errors itself,
// as an HTML page with the stack trace in the log, and reads bodies up to 1 GB. This replaces Express's final handler
// with one that answers the API's JSON error body and logs one line, and refuses an oversized body from its
// Content-Length before it is read. Importing this module installs it; it must run before functions-framework
// creates its app (user modules load before the server starts).
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refusalOf, refuseByHeaders, type EdgeRefusal } from '../shared/lifecycle/http-limits.js';
import { createLogger } from '../shared/runtime/log.js';

type Done = (err?: unknown) => void;
type Handle = (this: unknown, req: IncomingMessage, res: ServerResponse, done?: Done) => void;

const log = createLogger({ component: 'http-edge' });

function answer(req: IncomingMessage, res: ServerResponse, refusal: EdgeRefusal, cause?: unknown): void {
  const fields = { status: refusal.status, method: req.method, url: req.url, reason: refusal.message };
  if (refusal.status >= 500) log.error('request failed', { ...fields, error: String(cause) });
  else log.warn('request refused', fields);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = refusal.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  // An unread body stays on the socket: close it rather than parse the next request out of it.
  if (refusal.status === 413) res.setHeader('Connection', 'close');
  res.end(JSON.stringify({ error_code: refusal.status, message: refusal.message }));
}

export function installHttpEdge(): void {
  // The express instance functions-framework itself loads, whatever the hoisting.
  const ffRequire = createRequire(createRequire(import.meta.url).resolve('@google-cloud/functions-framework'));
  const application = (ffRequire('express') as { application: { handle: Handle & { dscEdge?: true } } }).application;
  if (application.handle.dscEdge) return;
  const original = application.handle;
  const handle: Handle & { dscEdge?: true } = function (this: unknown, req, res, done) {
    const refused = refuseByHeaders(req.headers);
    if (refused) return answer(req, res, refused);
    original.call(this, req, res, (err?: unknown) => {
      if (done) return done(err);
      answer(req, res, err ? refusalOf(err) : { status: 404, message: `no such route: ${req.url}` }, err);
    });
  };
  handle.dscEdge = true;
  application.handle = handle;
}

installHttpEdge();
