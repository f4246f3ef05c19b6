export type Mood = "plain" | "excited";

export function greeting(name: string, mood: Mood): string {
  const text = `Hello, ${name}`;
  return mood === "excited" ? `${text}!!!` : `${text}.`;
}
