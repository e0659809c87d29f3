// SPDX-License-Identifier: MIT
// morpho_lens.sol: lendex's referee for Morpho Blue on the devnet, called with eth_call pinned
// to a block. check() first has Morpho accrue the market's interest to that block's timestamp
// (Morpho's own accrueInterest), then reads position() and market() and the oracle, and
// computes with Morpho's own libraries what _isHealthy computes; finally it asks Morpho's own
// liquidate (one borrow share) whether the position can be liquidated: the HEALTHY_POSITION
// revert is the contract's verdict, not ours. Nothing persists: it runs inside eth_call.
pragma solidity 0.8.19;

import {IMorphoStaticTyping, MarketParams, Id} from "src/interfaces/IMorpho.sol";
import {IOracle} from "src/interfaces/IOracle.sol";
import {MarketParamsLib} from "src/libraries/MarketParamsLib.sol";
import {SharesMathLib} from "src/libraries/SharesMathLib.sol";
import {MathLib} from "src/libraries/MathLib.sol";

interface IMockToken {
    function setBalance(address account, uint256 amount) external;
    function approve(address spender, uint256 amount) external returns (bool);
}

interface ILiquidate {
    function liquidate(MarketParams memory, address, uint256, uint256, bytes calldata)
        external
        returns (uint256, uint256);
}

contract MorphoLens {
    using MarketParamsLib for MarketParams;
    using SharesMathLib for uint256;
    using MathLib for uint256;

    struct View {
        uint256 supplyShares;
        uint256 borrowShares;
        uint256 collateral;
        uint256 supplyAssets;   // supplyShares.toAssetsDown
        uint256 borrowAssets;   // borrowShares.toAssetsUp
        uint256 price;          // oracle price()
        uint256 maxBorrow;      // collateral.mulDivDown(price, 1e36).wMulDown(lltv)
        uint256 totalSupplyAssets;
        uint256 totalSupplyShares;
        uint256 totalBorrowAssets;
        uint256 totalBorrowShares;
        bool liquidatable;      // Morpho's liquidate did not revert with HEALTHY_POSITION
    }

    function check(address morpho, MarketParams memory mp, address user) external returns (View memory v) {
        IMorphoStaticTyping m = IMorphoStaticTyping(morpho);
        Id id = mp.id();
        IMorphoStaticTyping(morpho).accrueInterest(mp);
        (uint256 ss, uint128 bs, uint128 c) = m.position(id, user);
        (uint128 tsa, uint128 tss, uint128 tba, uint128 tbs,,) = m.market(id);
        v.supplyShares = ss;
        v.borrowShares = bs;
        v.collateral = c;
        v.totalSupplyAssets = tsa;
        v.totalSupplyShares = tss;
        v.totalBorrowAssets = tba;
        v.totalBorrowShares = tbs;
        v.supplyAssets = ss.toAssetsDown(tsa, tss);
        v.borrowAssets = uint256(bs).toAssetsUp(tba, tbs);
        v.price = IOracle(mp.oracle).price();
        v.maxBorrow = uint256(c).mulDivDown(v.price, 1e36).wMulDown(mp.lltv);
        if (bs == 0) return v;
        IMockToken(mp.loanToken).setBalance(address(this), type(uint128).max);
        IMockToken(mp.loanToken).approve(morpho, type(uint256).max);
        try ILiquidate(morpho).liquidate(mp, user, 0, 1, "") {
            v.liquidatable = true;
        } catch Error(string memory reason) {
            require(keccak256(bytes(reason)) == keccak256("position is healthy"), reason);
        }
    }
}
