"""The lifespan protocol as the plain ASGI test apps speak it: startup and shutdown
acknowledged, nothing else."""


async def acknowledge(receive, send):
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
