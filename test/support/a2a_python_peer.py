"""An A2A agent built with Python's official SDK (a2a-sdk, PyPI), the way its hello_world sample builds
one: an AgentExecutor behind DefaultRequestHandler, the agent card and JSON-RPC routes of
a2a.server.routes on Starlette, served by uvicorn. The same reviewer as test/support/a2a-sdk-peer.ts:
working, then input-required (which priority?), then completed with an artifact holding a data part;
with `hold: true` in its input it works until cancelled.

Run: python a2a_python_peer.py. It binds 127.0.0.1 on a free port and prints `LISTENING <port>`;
GET /stats answers what it created, was asked to cancel, and received.
"""

import asyncio
import socket
import sys

import uvicorn
from google.protobuf.json_format import MessageToDict
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from a2a.helpers.proto_helpers import get_data_parts, get_text_parts, new_data_part, new_text_part
from a2a.server.agent_execution.agent_executor import AgentExecutor
from a2a.server.agent_execution.context import RequestContext
from a2a.server.events.event_queue import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks.inmemory_task_store import InMemoryTaskStore
from a2a.server.tasks.task_updater import TaskUpdater
from a2a.types import (
    AgentCapabilities,
    AgentCard,
    AgentInterface,
    AgentProvider,
    AgentSkill,
    Task,
    TaskState,
    TaskStatus,
)

STATS = {'created': [], 'cancelled': [], 'received': []}
HOLDING: dict[str, asyncio.Event] = {}


class ReviewerExecutor(AgentExecutor):
    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        task_id = context.task_id or ''
        STATS['cancelled'].append(task_id)
        held = HOLDING.pop(task_id, None)
        if held:
            held.set()
        updater = TaskUpdater(event_queue=event_queue, task_id=task_id, context_id=context.context_id or '')
        await updater.cancel()

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        message = context.message
        task_id = context.task_id
        context_id = context.context_id
        if not message or not task_id or not context_id:
            return
        STATS['received'].append(MessageToDict(message))
        updater = TaskUpdater(event_queue=event_queue, task_id=task_id, context_id=context_id)
        if context.current_task is None:
            STATS['created'].append(task_id)
            await event_queue.enqueue_event(
                Task(
                    id=task_id,
                    context_id=context_id,
                    status=TaskStatus(state=TaskState.TASK_STATE_SUBMITTED),
                    history=[message],
                )
            )
            await updater.start_work(message=updater.new_agent_message(parts=[new_text_part('reviewing')]))
            data = get_data_parts(message.parts)
            if data and isinstance(data[0], dict) and data[0].get('hold') is True:
                held = asyncio.Event()
                HOLDING[task_id] = held
                await held.wait()
                return
            await updater.requires_input(
                message=updater.new_agent_message(
                    parts=[new_text_part('Which priority should this get?'), new_data_part({'choices': ['low', 'high']})]
                )
            )
            return
        # The next turn: the answer to the question.
        await updater.start_work(message=updater.new_agent_message(parts=[new_text_part('finishing the review')]))
        answer = get_data_parts(message.parts) or get_text_parts(message.parts)
        original = get_data_parts(context.current_task.history[0].parts) if context.current_task.history else []
        await updater.add_artifact(
            parts=[
                new_text_part('approved'),
                new_data_part(
                    {
                        'verdict': 'approved',
                        'priority': answer[0] if answer else None,
                        'reviewed': original[0] if original else None,
                    }
                ),
            ],
            artifact_id='review',
            name='review',
            last_chunk=True,
        )
        await updater.complete()


async def stats(_request):
    return JSONResponse(STATS)


async def main() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    origin = f'http://127.0.0.1:{port}'
    card = AgentCard(
        name='Python Reviewer',
        description='Reviews what it is handed; asks which priority before it approves.',
        provider=AgentProvider(organization='Test peers', url=origin),
        version='1.0.0',
        capabilities=AgentCapabilities(streaming=True, push_notifications=False),
        default_input_modes=['application/json', 'text/plain'],
        default_output_modes=['application/json', 'text/plain'],
        skills=[AgentSkill(id='review', name='Review', description='Reviews a change', tags=['review'])],
        supported_interfaces=[AgentInterface(protocol_binding='JSONRPC', protocol_version='1.0', url=f'{origin}/a2a')],
    )
    handler = DefaultRequestHandler(agent_executor=ReviewerExecutor(), task_store=InMemoryTaskStore(), agent_card=card)
    routes = [
        *create_agent_card_routes(agent_card=card),
        *create_jsonrpc_routes(request_handler=handler, rpc_url='/a2a'),
        Route('/stats', stats, methods=['GET']),
    ]
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=routes), log_level='warning'))
    print(f'LISTENING {port}', flush=True)
    await server.serve(sockets=[sock])


if __name__ == '__main__':
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
