/**
 * wrangler dev's proxy now and then answers 503 "Your worker restarted mid-request" to a POST
 * when the machine is loaded (its connection to workerd reset): set-up calls are tried again.
 */
export async function retried<T>(call: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}
