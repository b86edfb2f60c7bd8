"""Algorithm 1: the Wasserstein GWIN with gradient and transformation penalty (WGWIN-GP).

The critic sees only the confident set P_c; the generator sees the whole training split P_r and is
pulled towards inputs the frozen classifier C labels correctly: L_G = -D(G(x,z), y) +
lambda_Loss * CE(C(G(x,z)), y). With `use_critic=False` (the "critic off" ablation) no critic is
trained and L_G = lambda_Loss * CE(C(G(x,z)), y). Losses stay on the device as tensors; callbacks
decide when to pay for a host sync (`.item()`), so the hot loop has no host-device round trips.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from gwin.config import TrialConfig
from gwin.data.datasets import Split


def gradient_penalty(critic: nn.Module, x_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of (||grad_{x_hat} D(x_hat, y)||_2 - 1)^2, differentiable in D."""
    x_hat = x_hat.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat, y).sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1.0) ** 2).mean()


def _set_requires_grad(module: nn.Module, flag: bool) -> None:
    for p in module.parameters():
        p.requires_grad_(flag)


class Callback:
    """Hooks into `WGWINTrainer.fit`; override what you need."""

    def on_train_start(self, trainer: WGWINTrainer) -> None:
        pass

    def on_iteration_end(self, trainer: WGWINTrainer, losses: dict[str, torch.Tensor]) -> None:
        pass

    def on_train_end(self, trainer: WGWINTrainer) -> None:
        pass


class WGWINTrainer:
    """Owns G, D, their optimisers and the iteration counter; C is frozen and never updated."""

    def __init__(
        self,
        generator: nn.Module,
        critic: nn.Module,
        classifier: nn.Module,
        confident: Split,
        train: Split,
        cfg: TrialConfig,
    ):
        if len(confident) == 0:
            from gwin.errors import GwinError

            raise GwinError(
                f"the confident set P_c is empty at tau_star={cfg.tau_star}; lower --tau-star "
                "or train the classifier longer (--clf-epochs)"
            )
        self.generator, self.critic, self.classifier = generator, critic, classifier
        self.confident, self.train, self.cfg = confident, train, cfg
        self.device = confident.x.device
        betas = (cfg.beta1, cfg.beta2)
        self.opt_g = torch.optim.Adam(generator.parameters(), lr=cfg.lr_g, betas=betas)
        self.opt_d = torch.optim.Adam(critic.parameters(), lr=cfg.lr_d, betas=betas)
        self.iteration = 0
        _set_requires_grad(classifier, False)

    def _batch(self, split: Split) -> tuple[torch.Tensor, torch.Tensor]:
        idx = torch.randint(len(split), (self.cfg.batch_size,), device=self.device)
        return split.x[idx], split.y[idx]

    def _noise(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.cfg.z_dim, device=self.device)

    def critic_step(self) -> tuple[torch.Tensor, torch.Tensor]:
        """One critic update on (x, y) ~ P_c; returns (L_D, gradient penalty), detached."""
        x, y = self._batch(self.confident)
        with torch.no_grad():
            fake = self.generator(x, self._noise(len(x)))
        eps = torch.rand(len(x), 1, 1, 1, device=self.device)
        x_hat = eps * x + (1 - eps) * fake
        # Real and fake in one forward: no batch norm, so rows are independent.
        d_real, d_fake = self.critic(torch.cat([x, fake]), torch.cat([y, y])).chunk(2)
        gp = gradient_penalty(self.critic, x_hat, y)
        loss = d_fake.mean() - d_real.mean() + self.cfg.lambda_gp * gp
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return loss.detach(), gp.detach()

    def generator_step(self) -> tuple[torch.Tensor, torch.Tensor]:
        """One generator update on (x, y) ~ P_r; returns (L_G, CE(C(G(x,z)), y)), detached."""
        x, y = self._batch(self.train)
        _set_requires_grad(self.critic, False)  # no wasted grads for D in the G step
        fake = self.generator(x, self._noise(len(x)))
        ce = F.cross_entropy(self.classifier(fake), y)
        loss = self.cfg.lambda_loss * ce
        if self.cfg.use_critic:
            loss = loss - self.critic(fake, y).mean()
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        _set_requires_grad(self.critic, True)
        return loss.detach(), ce.detach()

    def step(self) -> dict[str, torch.Tensor]:
        """One generator iteration: n_critic critic steps (none with the critic off), then one
        generator step."""
        losses = {}
        if self.cfg.use_critic:
            for _ in range(self.cfg.n_critic):
                loss_d, gp = self.critic_step()
            losses = {"critic_loss": loss_d, "gradient_penalty": gp}
        loss_g, ce = self.generator_step()
        self.iteration += 1
        return {**losses, "generator_loss": loss_g, "ce": ce}

    def fit(self, callbacks: Iterable[Callback] = ()) -> None:
        """Train from the current iteration up to `cfg.iterations` (resumes after load)."""
        callbacks = list(callbacks)
        self.generator.train()
        self.critic.train()
        for cb in callbacks:
            cb.on_train_start(self)
        while self.iteration < self.cfg.iterations:
            losses = self.step()
            for cb in callbacks:
                cb.on_iteration_end(self, losses)
        for cb in callbacks:
            cb.on_train_end(self)

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue bit-for-bit: nets, optimisers, counter and RNG state."""
        state = {
            "iteration": self.iteration,
            "generator": self.generator.state_dict(),
            "critic": self.critic.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "rng_cpu": torch.get_rng_state(),
        }
        if self.device.type == "cuda":
            state["rng_cuda"] = torch.cuda.get_rng_state(self.device)
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.iteration = int(state["iteration"])
        self.generator.load_state_dict(state["generator"])
        self.critic.load_state_dict(state["critic"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        torch.set_rng_state(state["rng_cpu"])
        if "rng_cuda" in state and self.device.type == "cuda":
            torch.cuda.set_rng_state(state["rng_cuda"], self.device)
