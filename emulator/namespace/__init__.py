"""The emulated platform: its entities and their rules, the registry of what is deployed,
deploys through the API, triggers and rules, the scheduler, throttles, runtimes and errors.
No HTTP, SQL or terminal in it: the layers above bring those."""
