// Repositories and plans, as the API has them. Fetched at start, again when the API says they
// changed (another window or client) and after every reconnect (an event may have been missed).
import { asApiError, call, type ApiCallError, type Plan, type Profiles, type Repository } from '../api/index.ts';

class ProfilesStore {
  value = $state<Profiles | null>(null);
  error = $state<ApiCallError | null>(null);

  get repositories(): Repository[] {
    return this.value?.repositories ?? [];
  }

  get plans(): Plan[] {
    return this.value?.plans ?? [];
  }

  /** Nothing set up yet: the first-run wizard opens. */
  get empty(): boolean {
    return this.value !== null && this.value.plans.length === 0 && this.value.repositories.length === 0;
  }

  repository(id: string): Repository | undefined {
    return this.repositories.find((r) => r.id === id);
  }

  async refresh(): Promise<void> {
    try {
      this.value = await call('profiles.get', {});
      this.error = null;
    } catch (err) {
      this.error = asApiError(err);
    }
  }
}

export const profiles = new ProfilesStore();
