import { greeting, Mood } from "./greeting";

interface Args {
  name?: string;
  mood?: Mood;
}

interface Context {
  functionName: string;
}

export function main(args: Args, context: Context): { body: string; function: string } {
  return {
    body: greeting(args.name ?? "stranger", args.mood ?? "plain"),
    function: context.functionName,
  };
}
