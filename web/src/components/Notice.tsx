import type { Message } from "../useAction";

/** The outcome of the last action: a quiet note when it worked, an alert when it did not. */
export function Notice({ message }: { message: Message | null }) {
  if (!message?.text) return null;
  return (
    <p class={message.ok ? "note" : "error-text"} role={message.ok ? "status" : "alert"}>
      {message.text}
    </p>
  );
}
