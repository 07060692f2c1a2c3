import { z } from "@hono/zod-openapi";

const ratio = z.number().min(0).max(1).nullable();

/** Availability over the last 24 hours, 7 days and 30 days (0..1; null: nothing observed). */
export const WindowsSchema = z
  .object({ "24h": ratio, "7d": ratio, "30d": ratio })
  .openapi("AvailabilityWindows");

export const AvailabilitySchema = z
  .object({
    fleet: WindowsSchema.openapi({
      description:
        "seconds every watched host was seen reporting / seconds they existed (silent time is down)",
    }),
    hosts: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        availability: WindowsSchema,
        services: z.array(
          z.object({
            name: z.string(),
            availability: WindowsSchema.openapi({
              description:
                "seconds up / seconds its state was known (a silent host's services are not known)",
            }),
          }),
        ),
      }),
    ),
  })
  .openapi("Availability");

export type Availability = z.infer<typeof AvailabilitySchema>;
export type AvailabilityWindows = z.infer<typeof WindowsSchema>;
